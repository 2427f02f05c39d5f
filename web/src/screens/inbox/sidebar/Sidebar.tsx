import type { InboxRoute } from '../route';
import type { InboxChrome } from '../InboxScreen';

export function Sidebar(props: { route: InboxRoute; chrome: InboxChrome }) {
  void props;
  return <div>Sidebar</div>;
}
