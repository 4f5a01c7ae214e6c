/**
 * The live sockets of this node, by socket id, by session id (JWT `tid`) and by account. It is
 * also the node's `Presence`: an account is online while it holds an open socket here.
 */
import type { Presence } from "../core.js";
import type { LiveSocket } from "./live-socket.js";

export class SocketRegistry implements Presence {
  private readonly byId = new Map<string, LiveSocket>();
  private readonly bySession = new Map<string, Set<LiveSocket>>();
  private readonly byUser = new Map<string, Set<LiveSocket>>();

  add(socket: LiveSocket): void {
    this.byId.set(socket.id, socket);
    addTo(this.bySession, socket.sessionId, socket);
    addTo(this.byUser, socket.userId, socket);
  }

  remove(socket: LiveSocket): void {
    if (this.byId.get(socket.id) !== socket) return;
    this.byId.delete(socket.id);
    removeFrom(this.bySession, socket.sessionId, socket);
    removeFrom(this.byUser, socket.userId, socket);
  }

  get(socketId: string): LiveSocket | undefined {
    return this.byId.get(socketId);
  }

  ofSession(sessionId: string): LiveSocket[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  ofUser(userId: string): LiveSocket[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  all(): LiveSocket[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  isOnline(userId: string): boolean {
    for (const socket of this.byUser.get(userId) ?? []) if (socket.isOpen) return true;
    return false;
  }
}

function addTo(index: Map<string, Set<LiveSocket>>, key: string, socket: LiveSocket): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(socket);
}

function removeFrom(index: Map<string, Set<LiveSocket>>, key: string, socket: LiveSocket): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(socket);
  if (set.size === 0) index.delete(key);
}
