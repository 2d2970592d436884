// Placeholder for the built viewer (the lead's viewer/dist replaces it).
const el = document.getElementById('gauntlet-data');
const app = document.getElementById('app');
app.setAttribute('data-page', 'placeholder');
app.textContent = el ? `embedded: ${Object.keys(JSON.parse(el.textContent).files).length} file(s)` : 'fetching ../index.json';
