export default function SettingsScreen() {
  return <div>Settings</div>;
}
