/** Catches a rendering error of one screen so the rest of the app stays usable. */
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface ErrorBoundaryProps {
  /** What is inside, for the message: "the Schedules screen". */
  what: string;
  children: ReactNode;
}

interface ErrorBoundaryState {
  error?: Error | undefined;
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = {};

  static getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(
      `Task Scheduler: ${this.props.what} failed to render`,
      error,
      info.componentStack,
    );
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="error-box screen-error" role="alert">
        <h2>Something went wrong in {this.props.what}</h2>
        <p className="mono">{error.message || error.name}</p>
        <p>The other screens still work. Try again, or switch screens with the navigation.</p>
        <button type="button" onClick={() => this.setState({ error: undefined })}>
          Try again
        </button>
      </div>
    );
  }
}
