/**
 * Training progress for `npm run train` and the notebooks alike: a progress display per epoch
 * (batches, loss, accuracy, img/s, and the whole run's ETA, named apart from the epoch's own ETA)
 * that ends as the epoch's summary line.
 */
import { createProgress, type Progress } from '../display/progress';
import { formatDuration } from '../display/format';
import { accuracyPercent, epochSummary } from './report';
import type { TrainEvent } from './train';
import { geometrySummary } from '../analysis/geometry';

/** A TrainEvent handler; `log` receives the epoch summaries and checkpoint lines. */
export function trainingProgress(log: (line: string) => void = console.log): (event: TrainEvent) => void {
  let progress: Progress | undefined;
  return (e) => {
    if (e.kind === 'batch') {
      progress ??= createProgress(`epoch ${e.epoch}/${e.epochs}`, { unit: 'batches' });
      progress.update({
        done: e.batch, total: e.batches,
        fields: { loss: e.loss, acc: accuracyPercent(e.accuracy), 'img/s': Math.round(e.imagesPerSecond), 'run ETA': formatDuration(e.etaSeconds) },
      });
    } else if (e.kind === 'epoch') {
      progress?.done();
      progress = undefined;
      log(epochSummary(e));
      if (e.geometry !== undefined && e.geometry.length > 0) log(`  ${geometrySummary(e.geometry)}`);
    } else {
      log(`checkpoint (epoch ${e.epoch}) saved in ${e.dir}`);
    }
  };
}
