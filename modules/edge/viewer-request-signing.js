// Appended to viewer-request.js when signing is on (runtime cloudfront-js-2.0). Checks an HMAC-SHA256 signature
// over the object path and the resize parameters as requested (preset included), with an optional expiry, before
// the cache lookup: a missing, wrong or expired signature is a 403 here, and the origin is never reached.
// The secrets are read from the associated KeyValueStore, two slots, so a key rotates without downtime.
// modules/construct/signing.ts builds the same string to sign; a test runs this code against it.

function forbidden(reason) {
  return refusal(403, 'Forbidden', 'no-store', reason);
}

// "<path in its one spelling>\n<name>=<value, encodeURIComponent>&..." over the signed names present, sorted by
// name: each value encoded, so no value can pass for several parameters ("png&q=100" is not "png" and "q=100").
function stringToSign(request) {
  var query = request.querystring;
  var pairs = KEYS.concat([CONTRACT.preset, CONTRACT.expiresParam]).sort().filter(function (name) { return query[name]; }).map(function (name) {
    return name + '=' + encodeURIComponent(decoded(query[name].value));
  });
  return request.uri + '\n' + pairs.join('&');
}

// No early exit on the first differing character: the time taken does not tell how much of a guess was right.
function sameText(a, b) {
  if (a.length !== b.length) return false;
  var difference = 0;
  for (var i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

async function signatureProblem(request) {
  var query = request.querystring;
  var signature = query[CONTRACT.signatureParam];
  if (!signature) return 'signature missing';
  var expires = query[CONTRACT.expiresParam];
  if (expires && !/^[0-9]{1,12}$/.test(expires.value)) return 'signature not valid';
  if (expires && Math.floor(Date.now() / 1000) > Number(expires.value)) return 'signature expired';
  var text;
  try { text = stringToSign(request); } catch (e) { return 'signature not valid'; }
  for (var i = 0; i < CONTRACT.keySlots.length; i++) {
    var secret;
    // An empty slot is normal (before the first key, or between rotations): get() throws for a missing key. A key
    // shorter than the minimum (an empty value among them: an HMAC with an empty secret verifies) is no key.
    try { secret = await kvs.get(CONTRACT.keySlots[i]); } catch (e) { continue; }
    if (typeof secret !== 'string' || secret.length < CONTRACT.minKeyLength) continue;
    if (sameText(crypto.createHmac('sha256', secret).update(text).digest('hex'), signature.value)) return null;
  }
  return 'signature not valid';
}

async function handler(event) {
  var request = event.request;
  if (!(request.method === 'OPTIONS' && CONFIG.cors)) {
    var respelled = spellingRedirect(request);
    if (respelled) return respelled;
    var refusal = await signatureProblem(request);
    if (refusal) return forbidden(refusal);
  }
  return normalize(event);
}
