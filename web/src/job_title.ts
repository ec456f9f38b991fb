import type { Job } from './types';

// One line per job in the jobs list: what it is, where it stands and, on a team's set-up, which
// worker runs it (a part of a large scoring names the score job it belongs to).
export function jobTitle(job: Job): string {
  const percent = jobPercent(job);
  const part = job.parent_id != null ? ` (part of #${job.parent_id})` : '';
  const worker = job.worker ? ` · on ${job.worker}` : '';
  return `${job.kind} #${job.id}${part} · ${job.state} · ${percent}%${worker}`;
}

export function jobPercent(job: Job): number {
  return Math.round(Math.max(0, Math.min(1, job.progress)) * 100);
}
