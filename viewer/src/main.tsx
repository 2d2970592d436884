import { render } from 'preact';
import { App } from './app.js';
import { openSource } from './data/source.js';
import './styles.css';

render(<App source={openSource()} />, document.getElementById('app')!);
