import './nodes';

export { Stream, type Emitted, type StreamOptions } from './stream';
export * from './sources';
export { ArgumentRangeError, ArgumentTypeError, ClientClosingError, DurableSegmentError, JetStreamPublishError, JetStreamSetupError, NatsConnectionError, PipelineError } from './errors';
export { MissingKeyError, type KeySelector } from './nodes/support/key-selector';
export type { AccumulateOptions } from './nodes/accumulate';
export { ToJetStream, type ToJetStreamOptions } from './nodes/to-jetstream';
export type { PartitionOptions } from './nodes/partition';
export type { PartitionUniqueOptions } from './nodes/partition-unique';
export type { SlidingWindowOptions } from './nodes/sliding-window';
export type { UniqueOptions } from './nodes/unique';
export type { FrequenciesOptions } from './nodes/frequencies';
export type { MapAsyncOptions } from './nodes/map-async';
export type { TimedWindowUniqueOptions } from './nodes/timed-window-unique';
export type { TimedOptions } from './nodes/support/timed-options';
export type { ZipOptions } from './nodes/zip';
export type { CombineLatestOptions, EmitOnInput } from './nodes/combine-latest';
export type { ElementOf, ElementsOf } from './nodes/support/join';
export type { LifecycleState } from './actors/node-lifecycle';
export { systemScheduler, type Scheduler } from './scheduler';
export { observeActors, type InspectionObserver } from './actors/inspection';
export type { GraphFormat, PipelineGraph } from './inspect/graph';
export { inspect, type InspectObserver, type InspectOptions } from './inspect/inspect';
export { startDashboard, type Dashboard, type DashboardOptions } from './inspect/server';
export type { DashboardState, InspectTarget, NodeView, Progress } from './inspect/model';
export { HeartbeatDirectory, type TaskEvent, type TaskFeed, type WorkerDirectory, type WorkerInfo } from './inspect/workers';
export { inspectClient, startClientDashboard, type InspectableClient } from './inspect/client';
export { Client, CloseTimeoutError, type ClientOptions, type CloseOptions, type Deployment } from './distributed/client/client';
export type { TaskPolicy } from './distributed/task-policy';
export type { DistributedStream, DistributedOperators } from './distributed/distributed-stream';
export { task, UnregisteredTaskError } from './distributed/tasks';
export { Worker, type WorkerOptions } from './distributed/worker/worker';
export type { Remote, Unresolved } from './distributed/remote';
export type { GatherOptions } from './distributed/gather-node';
export { DurableGatherNode, durableDelivery } from './distributed/durable/durable-gather-node';
export type { DurableDelivery } from './distributed/durable/durable-segment';
export type { DurableScatterOptions } from './distributed/durable/durable-scatter';
export type { ScatterOptions } from './distributed/scatter';
export {
  BusClosedError,
  NoRespondersError,
  RequestTimeoutError,
  type Bus,
  type BusStats,
  type BusStatus,
  type BusStatusEvent,
  type BusWarning,
  type BusWarningKind,
  type Handler,
  type Message,
  type PublishOptions,
  type RejectionKind,
  type RequestOptions,
  type SubscribeOptions,
  type Subscription,
} from './transport/bus';
export { InProcessBus, type InProcessBusOptions } from './transport/in-process-bus';
export { NatsBus, TlsConnectionError, type NatsBusOptions, type NatsTlsOptions } from './transport/nats-bus';
export { OptionFileError, type NatsConnectionOptions } from './transport/nats-options';
export { UnauthenticatedMessageError, type AuthRefusal, type AuthRefusalCounts, type Secret } from './distributed/message-auth';
export { Codec, DecodeError, EncodeError, type CodecLimits } from './transport/codec';
export { connectionMachine, watchConnection, type ConnectionState, type WatchedConnection } from './actors/connection';
