import './nodes';

export { Stream, type Emitted, type StreamOptions } from './stream';
export { ArgumentRangeError, ArgumentTypeError, PipelineError } from './errors';
export type { LifecycleState } from './actors/node-lifecycle';
export { systemScheduler, type Scheduler } from './scheduler';
export { observeActors, type InspectionObserver } from './inspect/inspection';
export type { GraphFormat, PipelineGraph } from './inspect/graph';
