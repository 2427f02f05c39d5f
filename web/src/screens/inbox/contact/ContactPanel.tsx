import type { InboxRoute } from '../route';
import type { InboxChrome } from '../InboxScreen';

export function ContactPanel(props: { route: InboxRoute; chrome: InboxChrome }) {
  void props;
  return <div>ContactPanel</div>;
}
