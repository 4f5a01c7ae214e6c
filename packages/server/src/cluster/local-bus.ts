/** The single-node Bus: delivers messages to this process's subscribers. Also the subscriber list inside RedisBus. */
import type { Bus, BusHandler, BusHealth, BusMessage } from "./bus.js";

export class LocalBus implements Bus {
  private readonly handlers = new Set<BusHandler>();

  async publish(message: BusMessage): Promise<void> {
    this.deliverLocally(message);
  }

  deliverLocally(message: BusMessage): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(message);
      } catch {
        // A subscriber's failure must not fail the publisher (the revocation itself is stored).
      }
    }
  }

  subscribe(handler: BusHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  health(): BusHealth {
    return { state: "local" };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
