/** A live training display for notebooks: one updating line per epoch that ends as the epoch's summary. */
import { NotebookProgress, createNotebookProgress } from '../display/progress';
import { formatDuration } from '../display/terminal-progress';
import { epochSummary } from '../train/report';
import { TrainEvent } from '../train/train';

/** A TrainEvent handler showing batch progress (loss, accuracy, img/s, ETA) and per-epoch summaries. */
export function trainingDisplay(log: (line: string) => void = console.log): (event: TrainEvent) => void {
  let progress: NotebookProgress | undefined;
  return (e) => {
    if (e.kind === 'batch') {
      progress ??= createNotebookProgress('training');
      progress.update({
        epoch: `${e.epoch}/${e.epochs}`, batch: `${e.batch}/${e.batches}`, loss: e.loss, accuracy: e.accuracy,
        'img/s': Math.round(e.imagesPerSecond), ETA: formatDuration(e.etaSeconds),
      });
    } else if (e.kind === 'epoch') {
      const summary = epochSummary(e);
      if (progress) progress.done(summary);
      else log(summary);
      progress = undefined;
    } else {
      log(`checkpoint (epoch ${e.epoch}) saved in ${e.dir}`);
    }
  };
}
