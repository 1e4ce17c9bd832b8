/** Training: options, the scheduled Adam, the training loop and its checkpoints. */
export * from './checkpoint';
export * from './optimizer';
export * from './options';
export * from './progress';
export * from './report';
export * from './train';
