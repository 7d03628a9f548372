#!/usr/bin/env node
/*
 * Interop check: libattest (its CLI) against Phala's pure-JS DCAP verifier
 * (npm @phala/dcap-qvl) on every complete set of section 1 of
 * ../shared/vectors/tdx/MANIFEST.md, each verified at the set's "Verify at"
 * instant. Prints one row per set:
 *   set | libattest status + advisories | dcap-qvl status + advisories | agree?
 * and exits 0 when the two agree on every set, or differ only where the
 * MANIFEST's "dcap-qvl-js (run)" column records the same dcap-qvl failure
 * (e.g. it cannot decode TCB Info v2), 1 otherwise (agreement also counts when
 * dcap-qvl reaches the same TCB status but then rejects the quote on one of
 * its own attribute rules - debug, SEPT_VE_DISABLE, MRSERVICETD - that the
 * permissive libattest policy used here switches off; such rows say so).
 *
 * Usage (tools/interop/run.sh does this):
 *   node interop.js --manifest M.md --cli build/attest --module DIR --work DIR
 *                   [--markdown]
 *
 * libattest side: `attest verify --json --at T --policy P quote collateral...`
 * where P accepts every TCB status, debug TDs/enclaves and expired
 * collateral (for TDX and SGX), and bundles/ pieces (signed object bytes +
 * .sig.hex) are wrapped back into PCS bodies {"tcbInfo":<bytes>,"signature":
 * "<hex>"} in the work directory, the object bytes untouched.
 * dcap-qvl side: QuoteVerifier.newProd().verify(quote, collateral, t) with
 * the collateral object it expects (QuoteCollateralV3: CRLs as hex DER,
 * issuer chains as PEM, tcb_info / qe_identity as the exact signed JSON
 * text, signatures as hex).
 */
'use strict';

const fs = require('fs');
const path = require('path');
const Module = require('module');
const { spawnSync } = require('child_process');

function parseArgs(argv) {
    const a = { markdown: false };
    for (let i = 2; i < argv.length; i++) {
        const k = argv[i];
        if (k === '--markdown') a.markdown = true;
        else if (k.startsWith('--') && i + 1 < argv.length) a[k.slice(2)] = argv[++i];
        else throw new Error(`bad argument ${k}`);
    }
    for (const k of ['manifest', 'cli', 'module', 'work'])
        if (!a[k]) throw new Error(`--${k} is required`);
    return a;
}

/* ---- MANIFEST section 1 ------------------------------------------------- */

function cells(line) {
    return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|')
        .map(c => c.trim().replace(/`/g, '').replace(/\*\*/g, ''));
}

/* "2025-06-19 11:56Z" -> "2025-06-19T11:56:00Z" */
function rfc3339(s) {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?Z$/.exec(s.trim());
    if (!m) throw new Error(`unreadable time '${s}'`);
    return `${m[1]}T${m[2]}:${m[3]}:${m[4] || '00'}Z`;
}

function readManifestSets(file) {
    const text = fs.readFileSync(file, 'utf8').split('\n');
    const start = text.findIndex(l => /^## 1\./.test(l));
    if (start < 0) throw new Error('MANIFEST has no section "## 1."');
    let header = null;
    const sets = [];
    for (let i = start + 1; i < text.length && !/^## /.test(text[i]); i++) {
        const l = text[i];
        if (!l.startsWith('|')) {
            if (header) break; /* the first table of the section only */
            continue;
        }
        const c = cells(l);
        if (!header) { header = c; continue; }
        if (!/^S\d+$/.test(c[0])) continue; /* separator row */
        const col = name => {
            const j = header.findIndex(h => h.toLowerCase().startsWith(name.toLowerCase()));
            if (j < 0) throw new Error(`MANIFEST table has no column '${name}'`);
            return c[j];
        };
        const crls = col('PCK CRL').split(' / ').map(s => s.trim());
        sets.push({
            set: c[0], quote: col('Quote'), tcbInfo: col('TCB Info'),
            qeIdentity: col('QE Identity'), pckCrl: crls[0], rootCrl: crls[1],
            signingChain: col('Signing chain'), at: rfc3339(col('Verify at')),
            expected: col('Expected'),
            recordedQvl: col('dcap-qvl-js'),
        });
    }
    return sets;
}

/* ---- collateral pieces -------------------------------------------------- */

/* Exact text of the value of top-level member `name` of a JSON object (a
 * scanner honouring strings and nesting, like lib/parse's). */
function memberSpan(doc, name) {
    const n = doc.length;
    let i = 0;
    const ws = () => { while (i < n && ' \t\r\n'.includes(doc[i])) i++; };
    const bad = () => { throw new Error(`malformed JSON at offset ${i}`); };
    const str = () => { /* at '"': returns the decoded string */
        let j = i + 1;
        while (j < n && doc[j] !== '"') j += doc[j] === '\\' ? 2 : 1;
        if (j >= n) bad();
        const v = JSON.parse(doc.slice(i, j + 1));
        i = j + 1;
        return v;
    };
    const value = () => {
        const c = doc[i];
        if (c === '"') { str(); return; }
        if (c === '{' || c === '[') {
            let depth = 0;
            do {
                const d = doc[i];
                if (d === '"') { str(); continue; }
                if (d === '{' || d === '[') depth++;
                else if (d === '}' || d === ']') depth--;
                i++;
            } while (depth > 0 && i < n);
            if (depth) bad();
            return;
        }
        const b = i;
        while (i < n && !',}] \t\r\n'.includes(doc[i])) i++;
        if (i === b) bad();
    };
    ws();
    if (doc[i] !== '{') bad();
    i++;
    for (;;) {
        ws();
        if (doc[i] === '}') return null;
        if (doc[i] !== '"') bad();
        const key = str();
        ws();
        if (doc[i] !== ':') bad();
        i++;
        ws();
        const begin = i;
        value();
        if (key === name) return doc.slice(begin, i);
        ws();
        if (doc[i] === ',') { i++; continue; }
        if (doc[i] === '}') return null;
        bad();
    }
}

/* {text, sigHex} of a TCB Info or QE Identity given as a PCS body
 * (collateral/) or as signed bytes + .sig.hex (bundles/). */
function signedJson(tdxDir, rel) {
    const file = path.join(tdxDir, rel);
    const text = fs.readFileSync(file, 'utf8');
    const member = rel.includes('tcb') ? 'tcbInfo' : 'enclaveIdentity';
    if (rel.startsWith('bundles/')) {
        const sig = fs.readFileSync(file.replace(/\.json$/, '.sig.hex'), 'utf8').trim();
        return { text, sigHex: sig, member };
    }
    const inner = memberSpan(text, member);
    if (inner === null) throw new Error(`${rel}: no "${member}" member`);
    return { text: inner, sigHex: JSON.parse(text).signature, member };
}

/* ---- libattest ---------------------------------------------------------- */

const ALL = ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded',
    'ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded',
    'Revoked'];
const PERMISSIVE = { accepted_tcb_statuses: ALL, allow_debug: true, allow_expired_collateral: true };
const POLICY = JSON.stringify({ tdx: PERMISSIVE, sgx: PERMISSIVE });

function runLibattest(a, tdxDir, s, workDir) {
    const dir = path.join(workDir, s.set);
    fs.mkdirSync(dir, { recursive: true });
    const files = [path.join(tdxDir, s.quote)];
    for (const rel of [s.tcbInfo, s.qeIdentity]) {
        if (rel.startsWith('bundles/')) {
            const j = signedJson(tdxDir, rel);
            const out = path.join(dir, path.basename(rel));
            fs.writeFileSync(out, `{"${j.member}":${j.text},"signature":"${j.sigHex}"}`);
            files.push(out);
        } else {
            files.push(path.join(tdxDir, rel));
        }
    }
    for (const rel of [s.pckCrl, s.rootCrl, s.signingChain]) files.push(path.join(tdxDir, rel));
    const policy = path.join(workDir, 'policy-permissive.json');
    fs.writeFileSync(policy, POLICY);
    const r = spawnSync(a.cli, ['verify', '--json', '--at', s.at, '--policy', policy, ...files],
        { encoding: 'utf8' });
    if (r.error) return { text: `ERROR ${r.error.message}`, kind: 'error' };
    let doc;
    try { doc = JSON.parse(r.stdout); } catch (e) {
        return { text: `ERROR exit ${r.status}: ${(r.stderr || '').trim().split('\n')[0]}`, kind: 'error' };
    }
    const tcb = doc.claims && doc.claims.tcb;
    /* what the permissive policy let through, said next to the status */
    const notes = (doc.checks || []).filter(c =>
        (c.name === 'dcap.collateral.validity' && c.outcome === 'skipped') ||
        (/^policy\..*debug$/.test(c.name) && /allowed/.test(c.detail)))
        .map(c => c.name === 'dcap.collateral.validity'
            ? `collateral not valid at T, allowed: ${c.detail.replace(/;.*$/, '')}` : 'debug allowed');
    const note = notes.length ? ` [${notes.join('; ')}]` : '';
    if (doc.verdict === 'accepted' && tcb)
        return { kind: 'status', status: tcb.status, advisories: tcb.advisory_ids || [],
            text: fmt(tcb.status, tcb.advisory_ids || []) + note };
    if (doc.status === 'ATTEST_E_DCAP_TCB_NOT_SUPPORTED')
        return { kind: 'status', status: 'NotSupported', advisories: [],
            text: 'NotSupported (ATTEST_E_DCAP_TCB_NOT_SUPPORTED)' };
    return { kind: 'fail', status: tcb ? tcb.status : null, advisories: tcb ? tcb.advisory_ids : [],
        text: `FAIL ${doc.status}: ${doc.reason}` };
}

/* ---- dcap-qvl ------------------------------------------------------------ */

/* dcap-qvl checks TD/enclave attributes after it has computed the TCB
 * status and throws, losing the status. Load its verify.js with that one
 * call wrapped so that the thrown error carries the status (behaviour is
 * otherwise unchanged: the error is still thrown). */
function loadDcapQvl(moduleDir) {
    const file = path.join(moduleDir, 'src', 'verify.js');
    let src = fs.readFileSync(file, 'utf8');
    const call = 'validateAttrs(quote.report);';
    const patched = src.includes(call);
    if (patched)
        src = src.replace(call, 'try { validateAttrs(quote.report); } catch (e) ' +
            '{ e.dcapQvlStatus = finalStatus; throw e; }');
    const m = new Module(file, module);
    m.filename = file;
    m.paths = Module._nodeModulePaths(path.dirname(file));
    m._compile(src, file);
    const pkg = JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8'));
    return { verify: m.exports, version: `${pkg.name}@${pkg.version}`, patched };
}

function hex(file) { return fs.readFileSync(file).toString('hex'); }

function runDcapQvl(qvl, tdxDir, s) {
    const tcb = signedJson(tdxDir, s.tcbInfo), qe = signedJson(tdxDir, s.qeIdentity);
    const signing = fs.readFileSync(path.join(tdxDir, s.signingChain), 'utf8');
    const caChain = path.join(tdxDir, 'certs',
        s.pckCrl.includes('processor') ? 'pck_processor_ca_chain.pem' : 'pck_platform_ca_chain.pem');
    const collateral = {
        pck_crl_issuer_chain: fs.existsSync(caChain) ? fs.readFileSync(caChain, 'utf8') : '',
        root_ca_crl: hex(path.join(tdxDir, s.rootCrl)),
        pck_crl: hex(path.join(tdxDir, s.pckCrl)),
        tcb_info_issuer_chain: signing,
        tcb_info: tcb.text,
        tcb_info_signature: tcb.sigHex,
        qe_identity_issuer_chain: signing,
        qe_identity: qe.text,
        qe_identity_signature: qe.sigHex,
    };
    const quote = fs.readFileSync(path.join(tdxDir, s.quote));
    const t = Date.parse(s.at) / 1000;
    try {
        const r = qvl.verify.QuoteVerifier.newProd().verify(quote, collateral, t);
        return { kind: 'status', status: r.status, advisories: r.advisory_ids || [],
            text: fmt(r.status, r.advisory_ids || []) };
    } catch (e) {
        let msg = e.message;
        for (let c = e.cause; c; c = c.cause) msg += ` <- ${c.message}`;
        if (msg === 'No matching TCB level found')
            return { kind: 'status', status: 'NotSupported', advisories: [],
                text: 'NotSupported (No matching TCB level found)' };
        const st = e.dcapQvlStatus;
        return { kind: 'fail', msg, status: st ? st.status : null,
            advisories: st ? st.advisoryIds || [] : [],
            text: st ? `FAIL ${msg} [${fmt(st.status, st.advisoryIds || [])}]` : `FAIL ${msg}` };
    }
}

/* ---- comparison and table ----------------------------------------------- */

function fmt(status, advisories) {
    return advisories && advisories.length ? `${status} ${advisories.join(',')}` : status;
}

function sameAdvisories(a, b) {
    const x = [...(a || [])].sort(), y = [...(b || [])].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
}

function agree(l, q) {
    if (l.kind === 'status' && q.kind === 'status')
        return l.status === q.status && sameAdvisories(l.advisories, q.advisories) ? 'yes' : 'NO';
    if (l.kind === 'status' && q.kind === 'fail' && q.status)
        return l.status === q.status && sameAdvisories(l.advisories, q.advisories)
            ? 'yes (same status; dcap-qvl policy rejects)' : 'NO';
    if (l.kind === 'fail' && q.kind === 'fail') return 'both reject';
    return 'NO';
}

function printTable(rows, markdown) {
    const head = ['set', 'libattest status + advisories', 'dcap-qvl status + advisories',
        'agree?', 'MANIFEST expected'];
    if (markdown) {
        console.log(`| ${head.join(' | ')} |`);
        console.log(`|${head.map(() => '---').join('|')}|`);
        for (const r of rows) console.log(`| ${r.join(' | ')} |`);
        return;
    }
    const w = head.map((h, i) => Math.min(70, Math.max(h.length, ...rows.map(r => r[i].length))));
    const line = r => r.map((c, i) => c.padEnd(w[i])).join(' | ');
    console.log(line(head));
    console.log(w.map(n => '-'.repeat(n)).join('-+-'));
    for (const r of rows) console.log(line(r));
}

function main() {
    const a = parseArgs(process.argv);
    const tdxDir = path.dirname(a.manifest);
    const qvl = loadDcapQvl(a.module);
    fs.mkdirSync(a.work, { recursive: true });
    const sets = readManifestSets(a.manifest);
    const rows = [];
    let complete = 0, disagree = 0, known = 0;
    for (const s of sets) {
        const needed = [s.quote, s.tcbInfo, s.qeIdentity, s.pckCrl, s.rootCrl, s.signingChain];
        const missing = needed.filter(f => !f || !fs.existsSync(path.join(tdxDir, f)));
        if (missing.length) {
            console.error(`${s.set}: skipped, incomplete (missing ${missing.join(', ')})`);
            continue;
        }
        complete++;
        let l, q;
        try { l = runLibattest(a, tdxDir, s, a.work); } catch (e) { l = { kind: 'error', text: `ERROR ${e.message}` }; }
        try { q = runDcapQvl(qvl, tdxDir, s); } catch (e) { q = { kind: 'error', text: `ERROR ${e.message}` }; }
        let ok = agree(l, q);
        if (ok === 'NO' && q.kind === 'fail' && s.recordedQvl.startsWith('FAIL') &&
            s.recordedQvl.includes(q.msg)) {
            ok = 'NO (dcap-qvl limitation recorded in MANIFEST)';
            known++;
        } else if (ok === 'NO') {
            disagree++;
        }
        rows.push([s.set, l.text, q.text, ok, s.expected]);
    }
    console.log(`libattest: ${a.cli}; dcap-qvl: ${qvl.version}` +
        `${qvl.patched ? ' (attribute-check error annotated with its TCB status)' : ''}`);
    console.log(`libattest policy: every TCB status accepted, allow_debug, allow_expired_collateral\n`);
    printTable(rows, a.markdown);
    console.log(`\n${complete} complete sets: ${complete - disagree - known} agree, ` +
        `${known} differ as the MANIFEST records for dcap-qvl-js, ${disagree} disagree otherwise`);
    process.exitCode = complete === 0 ? 2 : disagree ? 1 : 0;
}

main();
