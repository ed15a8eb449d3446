// SPDX-License-Identifier: MIT
// One attachment upload: POST /api/v1/groups/{id}/attachments with the raw file as the body.
// XMLHttpRequest rather than fetch, because only XHR reports upload progress and can be
// aborted mid-body in every browser we support.
import { ApiError } from './api.js';

export const MAX_UPLOAD_MB = 25;

const FRIENDLY = {
  payload_too_large: `too large, the limit is ${MAX_UPLOAD_MB} MB`,
  rate_limited: 'too many uploads right now, try again in a moment',
};

/**
 * uploadFile(groupId, blob, name, onProgress(fraction)) → {promise, abort}.
 * The promise resolves with the server's attachment {id,name,size,mime,width?,height?,
 * duration_ms?,thumb} and rejects with an ApiError (status 0: the server was unreachable;
 * code 'aborted': cancelled with abort()).
 */
export function uploadFile(groupId, blob, name, onProgress = () => {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', `/api/v1/groups/${encodeURIComponent(groupId)}/attachments`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', blob.type || 'application/octet-stream');
    xhr.setRequestHeader('X-Filename', encodeURIComponent(name || 'file'));
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && e.total) onProgress(e.loaded / e.total); };
    xhr.onabort = () => reject(new ApiError(-1, 'aborted', 'cancelled'));
    xhr.onerror = () => reject(new ApiError(0, 'network', 'cannot reach the server'));
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText || 'null'); } catch { data = null; }
      if (xhr.status === 201 || xhr.status === 200) {
        if (data && data.id) { onProgress(1); resolve(data); return; }
        reject(new ApiError(xhr.status, 'internal', 'the server sent an unexpected answer'));
        return;
      }
      const e = data?.error || {};
      const code = e.code || (xhr.status === 413 ? 'payload_too_large' : xhr.status >= 500 ? 'internal' : 'bad_request');
      const message = FRIENDLY[code] || e.message || `upload failed (${xhr.status})`;
      reject(new ApiError(xhr.status, code, message, { retry_after_ms: e.retry_after_ms }));
    };
    xhr.send(blob);
  });
  return { promise, abort: () => xhr.abort() };
}

/** "1.2 MB", "640 KB", "12 B". */
export function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** "0:07", "1:02:03". */
export function formatDuration(ms) {
  const s = Math.max(0, Math.round((Number(ms) || 0) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
