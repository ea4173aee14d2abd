/** The application menu: standard roles and accelerators, nothing that loads remote content. */
import type { MenuItemTemplate } from './types';

export interface MenuActions {
  showWindow(): void;
  hideWindow(): void;
  quit(): void;
  openDocs(): void;
}

export function appMenuTemplate(
  platform: NodeJS.Platform,
  actions: MenuActions,
  dev = false,
): MenuItemTemplate[] {
  const mac = platform === 'darwin';
  const quit: MenuItemTemplate = {
    label: 'Quit Task Scheduler',
    accelerator: 'CmdOrCtrl+Q',
    click: actions.quit,
  };
  const close: MenuItemTemplate = {
    label: 'Close Window',
    accelerator: 'CmdOrCtrl+W',
    click: actions.hideWindow,
  };
  return [
    ...(mac
      ? [
          {
            label: 'Task Scheduler',
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              quit,
            ],
          } satisfies MenuItemTemplate,
        ]
      : []),
    { label: 'File', submenu: mac ? [close] : [close, { type: 'separator' }, quit] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo', accelerator: 'CmdOrCtrl+Z' },
        { role: 'redo', accelerator: mac ? 'Shift+Cmd+Z' : 'Ctrl+Y' },
        { type: 'separator' },
        { role: 'cut', accelerator: 'CmdOrCtrl+X' },
        { role: 'copy', accelerator: 'CmdOrCtrl+C' },
        { role: 'paste', accelerator: 'CmdOrCtrl+V' },
        { role: 'selectAll', accelerator: 'CmdOrCtrl+A' },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...(dev
          ? [
              { role: 'reload', accelerator: 'CmdOrCtrl+R' },
              { role: 'toggleDevTools', accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I' },
              { type: 'separator' as const },
            ]
          : []),
        { role: 'resetZoom', accelerator: 'CmdOrCtrl+0' },
        { role: 'zoomIn', accelerator: 'CmdOrCtrl+Plus' },
        { role: 'zoomOut', accelerator: 'CmdOrCtrl+-' },
        { type: 'separator' },
        { role: 'togglefullscreen', accelerator: mac ? 'Ctrl+Cmd+F' : 'F11' },
      ],
    },
    { label: 'Window', submenu: [{ role: 'minimize', accelerator: 'CmdOrCtrl+M' }, close] },
    { label: 'Help', submenu: [{ label: 'Documentation', click: actions.openDocs }] },
  ];
}
