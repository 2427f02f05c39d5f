import { MessagesSquare } from 'lucide-react';
import s from './auth.module.css';

export function Brand() {
  return (
    <div className={s.brand}>
      <MessagesSquare size={22} aria-hidden /> Atende
    </div>
  );
}
