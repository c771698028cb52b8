// Shared styles first, so each feature's own CSS (imported by its view) comes after them in the cascade.
import './ui/theme.css';
import './ui/feedback.css';
import './ui/layout.css';
import './app/shell.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { loadInitialData, wireEvents } from './app/events';

wireEvents();
loadInitialData();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
