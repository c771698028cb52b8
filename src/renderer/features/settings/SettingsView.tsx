import { ApiServerPanel } from './ApiServerPanel';
import { BackupPanel } from './BackupPanel';
import { VisionServerPanel } from './VisionServerPanel';
import './settings.css';

export function SettingsView(): React.JSX.Element {
  return (
    <div className="view view-settings">
      <div className="settings-col">
        <ApiServerPanel />
        <BackupPanel />
        <VisionServerPanel />
      </div>
    </div>
  );
}
