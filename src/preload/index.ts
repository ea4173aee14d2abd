/**
 * The sandboxed preload: imports only `electron`; everything else is bundled. The method list is
 * generated from the contract at build time (electron.vite.config.ts defines it).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL } from '../shared/bridge';
import type { MethodName } from '../shared/contract';
import { createBridge } from './bridge';

declare const __TASK_SCHEDULER_METHODS__: readonly MethodName[];

contextBridge.exposeInMainWorld(
  BRIDGE_GLOBAL,
  createBridge(ipcRenderer, __TASK_SCHEDULER_METHODS__),
);
