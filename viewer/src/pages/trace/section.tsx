import { Component, type ComponentChildren } from 'preact';

/**
 * One section of the trace behind its own error boundary: a record field of an unexpected shape
 * (an older version, a hostile file) breaks that section only, and says so.
 */
export class Guarded extends Component<
  { name: string; children: ComponentChildren },
  { error: Error | null }
> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
  render() {
    if (this.state.error)
      return (
        <div class="banner banner-danger" role="alert" data-testid="section-error">
          <strong>{this.props.name}</strong> could not be shown: {this.state.error.message}
        </div>
      );
    return this.props.children;
  }
}
