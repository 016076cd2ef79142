/**
 * A bot in Node: it echoes 1:1 messages, sits in a room and answers "!ping" there with its round
 * trip to the server, and (like every client built on the library) answers XMPP pings (XEP-0199).
 * The example starts the local Prosody, makes the bot and a visitor, and lets the visitor try it.
 *
 *   npm run example:bot              # the demo, then the bot keeps running until Ctrl-C
 *   npm run example:bot -- --once    # the demo, then stop
 */
import { waitFor, type SnapshotFrom } from 'xstate';
import { connectChat, connectRoom, createXmppClient, type RoomLogic, type XmppClient } from '../../src/index.js';
import type { ConversationLogic } from '../../src/xeps/chat/index.js';
import { MUC_DOMAIN, PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from '../../scripts/prosody.js';

/** Answers every incoming 1:1 message with an echo. */
function echoMessages(bot: XmppClient): void {
  bot.on('message', ({ conversation, message }) => {
    if (message.direction !== 'in' || message.body === '') return;
    bot.messages.send(conversation, `echo: ${message.body}`).catch((err: unknown) => console.error('echo failed', err));
  });
}

/** Watches the room's messages (its actor's snapshot) and answers each new "!ping" from someone else. */
function answerPingsIn(bot: XmppClient, room: string): void {
  const actor = bot.rooms.actor(room)!;
  let seen = connectRoom(actor.getSnapshot() as SnapshotFrom<RoomLogic>).messages.length;
  actor.subscribe((snapshot) => {
    const { messages } = connectRoom(snapshot as SnapshotFrom<RoomLogic>);
    const fresh = messages.slice(seen);
    seen = messages.length;
    for (const message of fresh) {
      if (message.direction !== 'in' || message.body.trim() !== '!ping') continue;
      bot
        .ping()
        .then((rtt) => bot.rooms.send(room, `${message.nick ?? 'someone'}: pong (${rtt} ms to the server)`))
        .catch((err: unknown) => console.error('ping failed', err));
    }
  });
}

async function connect(username: string, service: string): Promise<XmppClient> {
  const client = createXmppClient({ service, domain: PROSODY_DOMAIN, username, password: `${username}-password` });
  await client.start();
  return client;
}

async function main() {
  const once = process.argv.includes('--once');
  await startProsody();
  const stamp = Date.now().toString(36);
  const [botName, visitorName] = [`bot-${stamp}`, `visitor-${stamp}`];
  for (const name of [botName, visitorName]) await registerUser(name, `${name}-password`, PROSODY_DOMAIN);
  const room = `bots-${stamp}@${MUC_DOMAIN}`;

  const bot = await connect(botName, TCP_URL);
  echoMessages(bot);
  await bot.rooms.create(room, { nick: 'bot' });
  answerPingsIn(bot, room);
  const botJid = bot.getSnapshot().context.connection.jid!;
  console.log(`bot online as ${botJid}, in ${room}`);

  // A visitor tries it: a message, an XMPP ping, and "!ping" in the room.
  const visitor = await connect(visitorName, WS_URL);
  await visitor.messages.send(`${botName}@${PROSODY_DOMAIN}`, 'hello bot');
  const chat = visitor.feature(`chat:${botName}@${PROSODY_DOMAIN}`)!;
  const reply = await waitFor(chat, (s) => connectChat(s as SnapshotFrom<ConversationLogic>).messages.some((m) => m.direction === 'in'), {
    timeout: 10_000,
  });
  console.log(`visitor got: "${connectChat(reply as SnapshotFrom<ConversationLogic>).messages.find((m) => m.direction === 'in')!.body}"`);
  console.log(`visitor pinged the bot: ${await visitor.ping(botJid)} ms`);
  await visitor.rooms.join(room, { nick: 'visitor' });
  await visitor.rooms.send(room, '!ping');
  const inRoom = await waitFor(
    visitor.rooms.actor(room)!,
    (s) => connectRoom(s as SnapshotFrom<RoomLogic>).messages.some((m) => m.nick === 'bot' && m.body.includes('pong')),
    { timeout: 10_000 },
  );
  console.log(`in the room: "${connectRoom(inRoom as SnapshotFrom<RoomLogic>).messages.find((m) => m.nick === 'bot')!.body}"`);
  await visitor.stop();

  if (once) {
    await bot.stop();
    return;
  }
  console.log(
    `the bot keeps running: write to ${botName}@${PROSODY_DOMAIN} from an account on the local Prosody, or join ${room}. Ctrl-C stops it.`,
  );
  process.once('SIGINT', () => {
    void bot.stop().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
