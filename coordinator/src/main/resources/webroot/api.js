// The API, as the page uses it: JSON both ways, the session cookie, the CSRF header on anything that changes
// something, and one place that handles "log in first".

let onUnauthenticated = () => Promise.reject(new Error('not logged in'));

export function setUnauthenticatedHandler(handler) {
  onUnauthenticated = handler;
}

/** An error the API answered: {status, code, message}. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function csrfToken() {
  const cookie = document.cookie.split('; ').find(c => c.startsWith('XSRF-TOKEN='));
  return cookie ? decodeURIComponent(cookie.slice('XSRF-TOKEN='.length)) : '';
}

async function once(method, path, body) {
  const headers = {};
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET') {
    headers['X-XSRF-TOKEN'] = csrfToken();
  }
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, 'unreadable', `${method} ${path}: HTTP ${response.status}`);
  }
  if (!response.ok) {
    throw new ApiError(response.status, json?.code ?? 'error', json?.message ?? `HTTP ${response.status}`);
  }
  return json;
}

/**
 * Calls the API. A 401 shows the login form and tries again once logged in; a stale CSRF token (the session
 * changed, or it expired) is renewed by a GET and the call tried once more.
 */
export async function api(method, path, body, { noLoginPrompt = false } = {}) {
  try {
    return await once(method, path, body);
  } catch (e) {
    if (e.status === 401 && !noLoginPrompt) {
      await onUnauthenticated();
      return once(method, path, body);
    }
    if (e.status === 403 && e.code === 'csrf') {
      await once('GET', '/api/session').catch(() => {});
      return once(method, path, body);
    }
    throw e;
  }
}
