import { NoRespondersError, type Bus } from '../../src/transport/bus';

/**
 * Sends a task message to a pool's queue group as a scatter does (a request answered by the worker
 * that took it), again while no member has room: a worker rejoins the group after each message.
 */
export async function sendToPool(bus: Bus, subject: string, data: unknown, timeout = 5000): Promise<unknown> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await bus.request(subject, data, { timeout });
    } catch (error) {
      if (!(error instanceof NoRespondersError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}
