"""Email: settings checked at start, an outbox written with each change, a worker that sends."""
