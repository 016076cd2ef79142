/**
 * The version actor only answers; its context is the app's own `software` option, so there is no
 * `connectVersion`. This file keeps the folder's file set and names what `softwareVersion` returns.
 */
export type { SoftwareVersion } from './version.types.js';
