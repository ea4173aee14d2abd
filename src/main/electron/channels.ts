/** IPC channels beyond the contract's (pure constants: the preload bundles this file). */
export const PICK_PATH_CHANNEL = 'task-scheduler:native.pickPath';
export const DESKTOP_GET_CHANNEL = 'task-scheduler:desktop.getSettings';
export const DESKTOP_SAVE_CHANNEL = 'task-scheduler:desktop.saveSettings';
