// Drive the npm Akismet clients against a live service; print what each call answered as JSON.
// Run by tests/test_node_clients.py with SERVICE_PORT, SERVER_KEY, WRONG_KEY and BLOG set.
import dns from "node:dns";
import process from "node:process";

import { Author, Blog, CheckResult, Client, Comment } from "@cedx/akismet";
import { AkismetClient } from "akismet-api";

const { SERVICE_PORT, SERVER_KEY, WRONG_KEY, BLOG } = process.env;

// akismet-api calls http://{key}.localhost:{port}/1.1/...: resolve every *.localhost name to
// the loopback address the service listens on, as an operator's wildcard DNS record would.
// (superagent, under akismet-api, makes a fresh agent per request and resolves with dns.lookup.)
const systemLookup = dns.lookup;
dns.lookup = (host, options, callback) => {
  if (typeof options === "function") [options, callback] = [{}, options];
  if (host !== "localhost" && !host.endsWith(".localhost"))
    return systemLookup(host, options, callback);
  return options && options.all
    ? callback(null, [{ address: "127.0.0.1", family: 4 }])
    : callback(null, "127.0.0.1", 4);
};

const reader = {
  ip: "203.0.113.50",
  useragent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  name: "Ann Reader",
  email: "ann@mail.example",
  type: "comment",
  permalink: `${BLOG}/2026/11/council-vote/`,
};
const ham = "The council should publish the budget before the vote, not after.";
const spam = "Great casino-bonus offers at my site.";

async function outcome(call) {
  try {
    return { value: await call() };
  } catch (error) {
    return { error: error.message };
  }
}

function hostKeyClient(key) {
  return new AkismetClient({ key, blog: BLOG, host: `localhost:${SERVICE_PORT}`, protocol: "http" });
}

async function akismetApi() {
  const client = hostKeyClient(SERVER_KEY);
  const wrong = hostKeyClient(WRONG_KEY);
  return {
    verify: await outcome(() => client.verifyKey()),
    verify_wrong_key: await outcome(() => wrong.verifyKey()),
    check_ham: await outcome(() => client.checkSpam({ ...reader, content: ham })),
    check_spam: await outcome(() => client.checkSpam({ ...reader, content: spam })),
    check_honeypot: await outcome(() =>
      client.checkSpam({ ...reader, content: ham, honeypot: "http://spam.example" })),
    submit_spam: await outcome(async () =>
      (await client.submitSpam({ ...reader, content: "Buy pills from akismet-api" })).text),
    submit_ham: await outcome(async () =>
      (await client.submitHam({ ...reader, content: `${ham} (akismet-api)` })).text),
    check_wrong_key: await outcome(() => wrong.checkSpam({ ...reader, content: ham })),
  };
}

async function cedxAkismet() {
  const baseUrl = `http://127.0.0.1:${SERVICE_PORT}`;
  const blog = new Blog({ url: BLOG, charset: "UTF-8", languages: ["en"] });
  const client = new Client(SERVER_KEY, blog, { baseUrl });
  const wrong = new Client(WRONG_KEY, blog, { baseUrl });
  const author = new Author({ ipAddress: reader.ip, userAgent: reader.useragent, name: reader.name,
    email: reader.email });
  const comment = (content) => new Comment({ author, content, type: "comment",
    permalink: reader.permalink });
  const names = Object.fromEntries(Object.entries(CheckResult).map(([k, v]) => [v, k]));
  return {
    verify: await outcome(() => client.verifyKey()),
    verify_wrong_key: await outcome(() => wrong.verifyKey()),
    check_ham: await outcome(async () => names[await client.checkComment(comment(ham))]),
    check_spam: await outcome(async () => names[await client.checkComment(comment(spam))]),
    submit_spam: await outcome(() => client.submitSpam(comment("Buy pills from @cedx/akismet"))
      .then(() => "submitted")),
    submit_ham: await outcome(() => client.submitHam(comment(`${ham} (@cedx/akismet)`))
      .then(() => "submitted")),
    check_wrong_key: await outcome(async () => names[await wrong.checkComment(comment(ham))]),
  };
}

const results = { "akismet-api": await akismetApi(), "@cedx/akismet": await cedxAkismet() };
process.stdout.write(JSON.stringify(results));
