/** A plain HTTP client of a server-sent-events stream: parses `event:`/`data:` blocks (data as JSON). */
export interface SseEvent {
  event: string;
  data: unknown;
}

export interface EventStreamReader {
  readonly status: number;
  readonly events: SseEvent[];
  /** Resolves when the server ends the stream (or close() aborts it). */
  readonly ended: Promise<void>;
  /** Resolves once `n` events have arrived; rejects when the stream ends first. */
  until(n: number): Promise<SseEvent[]>;
  close(): void;
}

export async function openEvents(url: string): Promise<EventStreamReader> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let finished = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of res.body) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const fields = new Map(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]));
          if (fields.has('event')) events.push({ event: fields.get('event')!, data: JSON.parse(fields.get('data') ?? 'null') });
        }
        wake();
      }
    } catch {
      // aborted by close()
    } finally {
      finished = true;
      wake();
    }
  })();
  const until = async (n: number) => {
    while (events.length < n) {
      if (finished) throw new Error(`the event stream ended after ${events.length} of ${n} events`);
      await new Promise<void>((r) => waiters.push(r));
    }
    return events;
  };
  return { status: res.status, events, ended, until, close: () => abort.abort() };
}
