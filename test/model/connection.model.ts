import { createMachine } from 'xstate';

/**
 * Abstract model of the connection lifecycle for model-based testing: the states an app can
 * observe and the inputs that move between them. No delays or actors (xstate/graph rejects
 * them): elapsed time is an event here and `SimulatedClock` time in the real actor.
 */
export const connectionModel = createMachine({
  id: 'connectionModel',
  initial: 'idle',
  states: {
    idle: { on: { START: 'connecting', STOP: 'stopping' } },
    connecting: {
      on: { SASL_STARTED: 'authenticating', DROP: 'reconnecting', CONNECT_TIMEOUT: 'reconnecting', STOP: 'stopping' },
    },
    authenticating: {
      on: {
        BIND_STARTED: 'binding',
        RESUMED: 'online',
        AUTH_FAILED: 'authFailed',
        DROP: 'reconnecting',
        CONNECT_TIMEOUT: 'reconnecting',
        STOP: 'stopping',
      },
    },
    binding: { on: { BOUND: 'online', DROP: 'reconnecting', CONNECT_TIMEOUT: 'reconnecting', STOP: 'stopping' } },
    online: { on: { DROP: 'reconnecting', CONFLICT: 'conflict', FATAL_STREAM_ERROR: 'stopped', STOP: 'stopping' } },
    // Every stop closes the transport, which reports what never left before it says closed.
    reconnecting: { on: { BACKOFF_ELAPSED: 'connecting', RETRY_NOW: 'connecting', STOP: 'stopping' } },
    authFailed: { on: { STOP: 'stopping' } },
    conflict: { on: { STOP: 'stopping' } },
    stopping: { on: { CLOSED: 'stopped', STOP_TIMEOUT: 'stopped' } },
    stopped: { type: 'final' },
  },
});
