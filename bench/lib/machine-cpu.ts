import os from 'node:os';

/**
 * Busy CPU time of the whole machine, all cores together. Set against the benchmark's own
 * processes it shows how much CPU something else took during a round (other jobs on a shared box).
 */
export function machineBusyMs(): number {
  let busy = 0;
  for (const cpu of os.cpus()) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  return busy;
}
