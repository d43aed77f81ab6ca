/** Min-heap of timed packets, ties broken by insertion order (so equal times keep FIFO order). */
import type { SimPacket } from './model.js';

export class DeliveryQueue<T> {
  private readonly items: SimPacket<T>[] = [];
  private readonly order: number[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  peekTime(): number {
    return this.items.length > 0 ? this.items[0].time : Infinity;
  }

  push(p: SimPacket<T>): void {
    const items = this.items;
    const order = this.order;
    let i = items.length;
    items.push(p);
    order.push(this.counter++);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): SimPacket<T> | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const lastItem = items.pop()!;
    const lastOrder = this.order.pop()!;
    if (items.length > 0) {
      items[0] = lastItem;
      this.order[0] = lastOrder;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ta = this.items[a].time;
    const tb = this.items[b].time;
    return ta < tb || (ta === tb && this.order[a] < this.order[b]);
  }

  private swap(a: number, b: number): void {
    const t = this.items[a];
    this.items[a] = this.items[b];
    this.items[b] = t;
    const o = this.order[a];
    this.order[a] = this.order[b];
    this.order[b] = o;
  }
}
