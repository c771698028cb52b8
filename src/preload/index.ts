// Builds window.lamplight from the contract's names. The renderer never sees ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './bridge';

contextBridge.exposeInMainWorld('lamplight', createPreloadApi(ipcRenderer));
