import './nodes';
import './sources';

export { Stream, type Emitted, type StreamOptions } from './stream';
export { ArgumentRangeError, ArgumentTypeError, PipelineError } from './errors';
export type { LifecycleState } from './actors/node-lifecycle';
export { systemScheduler, type Scheduler } from './scheduler';
export { observeActors, type InspectionObserver } from './inspect/inspection';
export type { GraphFormat, PipelineGraph } from './inspect/graph';
export { inspect, type InspectObserver, type InspectOptions } from './inspect/inspect';
export { startDashboard, type Dashboard, type DashboardOptions } from './inspect/server';
export type { DashboardState, InspectTarget, NodeView, Progress } from './inspect/model';
export { HeartbeatDirectory, type TaskEvent, type TaskFeed, type WorkerDirectory, type WorkerInfo } from './inspect/workers';
