/**
 * The time actor keeps no state worth showing (it only answers), so there is no `connectTime`.
 * This file keeps the folder's file set and names what UIs get from `entityTime`.
 */
export type { EntityTime } from './time.types.js';
