import './style.css';
import { App } from './app';

const app = new App();
app.start().catch((error: unknown) => {
  console.error(error);
  const message = document.getElementById('stage-message');
  if (message) {
    message.hidden = false;
    message.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
});
