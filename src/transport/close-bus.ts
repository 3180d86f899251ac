import { withinBound } from '../util/bounded';
import type { Bus } from './bus';

/** How long closing may take: an unreachable server never answers a drain. */
const CLOSE_BOUND = 2_000;

/** Drains the bus (sends what it buffered) within a bound, then closes it, so that the process can exit. */
export async function closeBus(bus: Bus, bound = CLOSE_BOUND): Promise<void> {
  if (bus.status === 'closed') return;
  await withinBound(bus.drain(), bound);
  if ((bus.status as string) !== 'closed') await withinBound(bus.close(), bound);
}
