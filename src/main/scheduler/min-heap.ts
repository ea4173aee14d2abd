/**
 * An indexed binary min-heap: items remember their position, so removing or re-keying any item
 * is O(log n). The scheduler keeps one item per enabled entry, keyed by its next fire time.
 */
export interface HeapItem {
  /** The key: smaller comes first. */
  key: number;
  /** Tie-breaker among equal keys (e.g. insertion order), so firing order is deterministic. */
  seq: number;
  /** Position in the heap; -1 when not in it. Owned by the heap. */
  heapIndex: number;
}

export class MinHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return item.heapIndex >= 0 && this.items[item.heapIndex] === item;
  }

  push(item: T): void {
    if (this.has(item)) throw new Error('MinHeap: item is already in the heap; use update()');
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(item: T): boolean {
    if (!this.has(item)) return false;
    this.removeAt(item.heapIndex);
    return true;
  }

  /** Re-positions an item after its key changed (pushes it when absent). */
  update(item: T): void {
    if (!this.has(item)) return this.push(item);
    this.up(item.heapIndex);
    this.down(item.heapIndex);
  }

  clear(): void {
    for (const item of this.items) item.heapIndex = -1;
    this.items.length = 0;
  }

  private removeAt(index: number): void {
    const items = this.items;
    const removed = items[index]!;
    const last = items.pop()!;
    removed.heapIndex = -1;
    if (index < items.length) {
      items[index] = last;
      last.heapIndex = index;
      this.up(index);
      this.down(last.heapIndex);
    }
  }

  private less(a: T, b: T): boolean {
    return a.key < b.key || (a.key === b.key && a.seq < b.seq);
  }

  private up(index: number): void {
    const items = this.items;
    const item = items[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex]!;
      if (!this.less(item, parent)) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  private down(index: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(items[right]!, items[left]!) ? right : left;
      if (!this.less(items[child]!, item)) break;
      items[index] = items[child]!;
      items[index]!.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}
