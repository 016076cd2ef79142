// Binds to: one stored message's body and XEP-0066 link (props only).
import { isImageUrl } from '../format';

export function MessageBody({ body, oob }: { body: string; oob?: { url: string; desc?: string } | undefined }) {
  if (oob) {
    const name = decodeURIComponent(new URL(oob.url).pathname.split('/').pop() ?? 'file');
    return (
      <span className="file">
        {isImageUrl(oob.url) && <img data-testid="message-image" src={oob.url} alt={oob.desc ?? name} />}
        <a data-testid="message-file" href={oob.url} target="_blank" rel="noreferrer">
          {oob.desc ?? name}
        </a>
      </span>
    );
  }
  return <span className="text">{body}</span>;
}
