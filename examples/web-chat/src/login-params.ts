// Login form defaults, prefilled from the page's query string (`?service=…&domain=…&username=…&password=…`).
export interface LoginFields {
  service: string;
  domain: string;
  username: string;
  password: string;
}

const DEFAULT_SERVICE = 'ws://127.0.0.1:15280/xmpp-websocket';

export function loginFieldsFromUrl(search: string = window.location.search): LoginFields & { autologin: boolean } {
  const params = new URLSearchParams(search);
  return {
    service: params.get('service') ?? DEFAULT_SERVICE,
    domain: params.get('domain') ?? 'localhost',
    username: params.get('username') ?? '',
    password: params.get('password') ?? '',
    autologin: params.get('autologin') === '1',
  };
}
