/**
 * Valid stanzas in the shape of the XEPs' own examples, addressed to the fuzzed client, for the
 * mutators to start from: one group per feature, so each codec is fuzzed from its own inputs.
 */
export const ME = 'alice@example.org/test';
export const OWN = 'alice@example.org';
export const ROOM = 'lobby@conference.example.org';
const CONTACT = 'bob@example.org';

const chatMessage = `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='m1'>
  <body>Hello</body><thread>t1</thread>
  <origin-id xmlns='urn:xmpp:sid:0' id='o1'/><stanza-id xmlns='urn:xmpp:sid:0' id='s1' by='${OWN}'/>
  <request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/><active xmlns='http://jabber.org/protocol/chatstates'/>
  <delay xmlns='urn:xmpp:delay' from='example.org' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay></message>`;

export const SEEDS = {
  chat: [
    chatMessage,
    `<message from='${CONTACT}/phone' to='${ME}' id='r1'><received xmlns='urn:xmpp:receipts' id='m0'/></message>`,
    `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='f1'><body>https://files.example.org/a.jpg</body>
      <x xmlns='jabber:x:oob'><url>https://files.example.org/a.jpg</url><desc>a rose</desc></x></message>`,
    `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='mk'><displayed xmlns='urn:xmpp:chat-markers:0' id='m0'/></message>`,
    `<message from='${CONTACT}/phone' to='${ME}' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`,
    `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='c2'><body>Hello!</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>`,
    `<message from='${CONTACT}/phone' to='${ME}' type='chat' id='rt'><retract xmlns='urn:xmpp:message-retract:1' id='m1'/>
      <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/><body>retracted</body><store xmlns='urn:xmpp:hints'/></message>`,
    `<message from='${CONTACT}/phone' to='${ME}' type='error' id='m9'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
      <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>gone</text></error></message>`,
  ],
  carbons: [
    `<message from='${OWN}' to='${ME}' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
      <message xmlns='jabber:client' from='${CONTACT}/phone' to='${OWN}/phone' type='chat' id='cc1'><body>Wherefore art thou?</body></message>
    </forwarded></received></message>`,
    `<message from='${OWN}' to='${ME}' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>
      <message xmlns='jabber:client' from='${OWN}/phone' to='${CONTACT}/phone' type='chat' id='cc2'><body>Here</body></message>
    </forwarded></sent></message>`,
  ],
  archive: [
    `<message to='${ME}'><result xmlns='urn:xmpp:mam:2' queryid='f27' id='28482-98726-73623'><forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>
      <message xmlns='jabber:client' from='${CONTACT}/phone' to='${OWN}' type='chat'><body>Hail to thee</body></message>
    </forwarded></result></message>`,
    `<message from='${ROOM}' to='${ME}'><result xmlns='urn:xmpp:mam:2' queryid='g27' id='a1'><forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>
      <message xmlns='jabber:client' from='${ROOM}/bob' type='groupchat'><body>Thrice</body></message>
    </forwarded></result></message>`,
    `<iq type='result' id='juliet1'><fin xmlns='urn:xmpp:mam:2' complete='true'><set xmlns='http://jabber.org/protocol/rsm'>
      <first index='0'>28482-98726-73623</first><last>09af3-cc343-b409f</last><count>20</count></set></fin></iq>`,
    `<iq type='result' id='form1'><query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='form'>
      <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:mam:2</value></field><field type='jid-single' var='with'/>
      <field type='text-single' var='start'/><field type='text-single' var='{urn:example:xmpp:free-text-search}full-text'/></x></query></iq>`,
    `<iq type='result' id='prefs1'><prefs xmlns='urn:xmpp:mam:2' default='roster'><always><jid>romeo@montague.lit</jid></always>
      <never><jid>montague@montague.lit</jid></never></prefs></iq>`,
  ],
  roster: [
    `<iq id='bv1bs71f' to='${ME}' type='result'><query xmlns='jabber:iq:roster' ver='ver11'>
      <item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>
      <item jid='mercutio@example.com' name='Mercutio' subscription='from' ask='subscribe' approved='true'/></query></iq>`,
    `<iq id='a78b4q6ha463' to='${ME}' type='set'><query xmlns='jabber:iq:roster' ver='ver13'><item jid='nurse@example.com'/></query></iq>`,
    `<iq id='push2' from='${OWN}' to='${ME}' type='set'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com' subscription='remove'/></query></iq>`,
  ],
  blocking: [
    `<iq type='result' id='blocklist1'><blocklist xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/><item jid='iago@shakespeare.lit'/></blocklist></iq>`,
    `<iq to='${ME}' type='set' id='push1'><block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/></block></iq>`,
    `<iq from='${OWN}' to='${ME}' type='set' id='push3'><unblock xmlns='urn:xmpp:blocking'/></iq>`,
  ],
  bookmarks: [
    `<message from='${OWN}' to='${ME}' type='headline' id='new-room1'><event xmlns='http://jabber.org/protocol/pubsub#event'>
      <items node='urn:xmpp:bookmarks:1'><item id='theplay@conference.shakespeare.lit'>
        <conference xmlns='urn:xmpp:bookmarks:1' name='The Play&apos;s the Thing' autojoin='true'><nick>JC</nick><password>x</password>
          <extensions><state xmlns='http://myclient.example/bookmark/state' minimized='true'/></extensions></conference>
      </item></items></event></message>`,
    `<message from='${OWN}' to='${ME}' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'>
      <items node='urn:xmpp:bookmarks:1'><retract id='theplay@conference.shakespeare.lit'/></items></event></message>`,
    `<message from='${OWN}' to='${ME}'><event xmlns='http://jabber.org/protocol/pubsub#event'><purge node='urn:xmpp:bookmarks:1'/></event></message>`,
    `<message from='${OWN}' to='${ME}'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='storage:bookmarks'><item id='current'>
      <storage xmlns='storage:bookmarks'><conference name='Council' autojoin='true' jid='council@conference.underhill.org'><nick>Puck</nick></conference>
      <url name='Complete Works' url='http://the-tech.mit.edu/Shakespeare/'/></storage></item></items></event></message>`,
    `<iq type='result' id='items1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:bookmarks:1'>
      <item id='orchard@conference.shakespeare.lit'><conference xmlns='urn:xmpp:bookmarks:1' name='The Orchard' autojoin='1'><nick>JC</nick></conference></item>
    </items></pubsub></iq>`,
  ],
  caps: [
    `<presence from='${CONTACT}/phone' to='${ME}'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>`,
    `<presence from='${CONTACT}/phone' to='${ME}' type='unavailable'/>`,
  ],
  disco: [
    `<iq type='get' from='${CONTACT}/phone' to='${ME}' id='info1'><query xmlns='http://jabber.org/protocol/disco#info' node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='/></iq>`,
    `<iq type='get' from='${CONTACT}/phone' to='${ME}' id='items1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`,
    `<iq type='result' from='example.org' to='${ME}' id='info2'><query xmlns='http://jabber.org/protocol/disco#info'>
      <identity category='client' name='Exodus 0.9.1' type='pc' xml:lang='en'/><feature var='http://jabber.org/protocol/caps'/>
      <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
      <field var='os'><value>Mac</value></field></x></query></iq>`,
    `<iq type='result' from='example.org' to='${ME}' id='items2'><query xmlns='http://jabber.org/protocol/disco#items'>
      <item jid='conference.example.org' name='Rooms'/><item jid='example.org' node='music'/></query></iq>`,
  ],
  presence: [
    `<presence from='${CONTACT}/phone' to='${ME}'><show>away</show><status>lunch</status><priority>5</priority></presence>`,
    `<presence from='${CONTACT}' to='${ME}' type='subscribe'><status>let me in</status></presence>`,
    `<presence from='${CONTACT}' to='${ME}' type='unsubscribed'/>`,
    `<presence from='${ME}' to='${ME}'/>`,
  ],
  muc: [
    `<presence from='${ROOM}/thirdwitch' to='${ME}'><x xmlns='http://jabber.org/protocol/muc#user'>
      <item affiliation='member' role='participant' jid='hag66@shakespeare.lit/pda' nick='thirdwitch'/><status code='110'/><status code='210'/></x>
      <occupant-id xmlns='urn:xmpp:occupant-id:0' id='dd72603d'/></presence>`,
    `<presence from='${ROOM}/wiccarocks' to='${ME}' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>
      <item affiliation='none' role='none'><actor nick='Fluellen'/><reason>Avaunt</reason></item><status code='307'/></x></presence>`,
    `<presence from='${ROOM}/firstwitch' to='${ME}' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>
      <item affiliation='none' role='none'/><destroy jid='coven@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy></x></presence>`,
    `<presence from='${ROOM}/thirdwitch' to='${ME}' type='error'><x xmlns='http://jabber.org/protocol/muc'/>
      <error by='${ROOM}' type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`,
    `<message from='${ROOM}/secondwitch' to='${ME}' type='groupchat' id='g1'><body>Fillet of a fenny snake</body>
      <stanza-id xmlns='urn:xmpp:sid:0' id='room-1' by='${ROOM}'/><delay xmlns='urn:xmpp:delay' stamp='2002-10-13T23:58:37Z' from='${ROOM}'/></message>`,
    `<message from='${ROOM}/secondwitch' to='${ME}' type='groupchat'><subject>Fire Burn and Cauldron Bubble!</subject></message>`,
    `<message from='${ROOM}/firstwitch' to='${ME}' type='chat'><body>I'll give thee a wind.</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>`,
    `<message from='${ROOM}' to='${ME}'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='crone1@shakespeare.lit/desktop'>
      <reason>Hey Hecate</reason></invite><password>cauldronburn</password></x></message>`,
    `<message from='crone1@shakespeare.lit/desktop' to='${ME}'><x xmlns='jabber:x:conference' jid='${ROOM}' password='cauldronburn' reason='Hey Hecate'/></message>`,
    `<message from='${ROOM}' to='${ME}'><x xmlns='http://jabber.org/protocol/muc#user'><decline from='hecate@shakespeare.lit'><reason>Sorry</reason></decline></x></message>`,
    `<message from='${ROOM}' to='${ME}'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:mucsub:nodes:messages'>
      <item id='18277869892147515942'><message xmlns='jabber:client' from='${ROOM}/bob' to='${ME}' type='groupchat'><body>via mucsub</body></message></item>
    </items></event></message>`,
    `<iq type='result' id='subs1'><subscriptions xmlns='urn:xmpp:mucsub:0'><subscription jid='${ROOM}'><event node='urn:xmpp:mucsub:nodes:messages'/></subscription></subscriptions></iq>`,
    `<iq type='result' id='config1'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>
      <field type='hidden' var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>
      <field label='Natural-Language Room Name' type='text-single' var='muc#roomconfig_roomname'><value>A Dark Cave</value></field>
      <field type='list-single' var='muc#roomconfig_whois'><option label='Moderators'><value>moderators</value></option><value>moderators</value></field>
      <field type='boolean' var='muc#roomconfig_persistentroom'><value>1</value></field></x></query></iq>`,
    `<iq type='result' id='ban2'><query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast' jid='earlofcambridge@shakespeare.lit'>
      <reason>Treason</reason></item></query></iq>`,
    `<iq type='result' from='${ROOM}' id='roominfo'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' name='A Dark Cave' type='text'/>
      <feature var='http://jabber.org/protocol/muc'/><feature var='muc_passwordprotected'/><feature var='urn:xmpp:mam:2'/><feature var='urn:xmpp:occupant-id:0'/>
      <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roominfo</value></field>
      <field var='muc#roominfo_occupants'><value>3</value></field></x></query></iq>`,
  ],
  ping: [`<iq from='example.org' to='${ME}' id='s2c1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>`],
  time: [
    `<iq type='get' from='${CONTACT}/phone' to='${ME}' id='time_1'><time xmlns='urn:xmpp:time'/></iq>`,
    `<iq type='result' from='${CONTACT}/phone' to='${ME}' id='time_2'><time xmlns='urn:xmpp:time'><tzo>-06:00</tzo><utc>2006-12-19T17:58:35Z</utc></time></iq>`,
  ],
  version: [
    `<iq type='get' from='${CONTACT}/phone' to='${ME}' id='version_1'><query xmlns='jabber:iq:version'/></iq>`,
    `<iq type='result' from='${CONTACT}/phone' to='${ME}' id='version_2'><query xmlns='jabber:iq:version'><name>Exodus</name><version>0.7.0.4</version><os>Windows-XP 5.01.2600</os></query></iq>`,
  ],
  upload: [
    `<iq from='upload.example.org' id='step_03' to='${ME}' type='result'><slot xmlns='urn:xmpp:http:upload:0'>
      <put url='https://upload.example.org/4a771ac1/tr%C3%A8s%20cool.jpg'><header name='Authorization'>Basic Base64String==</header>
      <header name='Cookie'>foo=bar; user=romeo</header></put><get url='https://download.example.org/4a771ac1/tr%C3%A8s%20cool.jpg'/></slot></iq>`,
    `<iq from='upload.example.org' id='step_03' to='${ME}' type='error'><request xmlns='urn:xmpp:http:upload:0' filename='tr&#xE8;s cool.jpg' size='23456'/>
      <error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>File too large.</text>
      <file-too-large xmlns='urn:xmpp:http:upload:0'><max-file-size>20000</max-file-size></file-too-large></error></iq>`,
    `<iq type='result' from='upload.example.org' id='info3'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='store' type='file' name='HTTP File Upload'/>
      <feature var='urn:xmpp:http:upload:0'/><x type='result' xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>
      <field var='max-file-size'><value>5242880</value></field></x></query></iq>`,
  ],
  // XEP-0077 §3.1 Example 2 and the data-form variant (§4, with a XEP-0158 CAPTCHA).
  register: [
    `<iq type='result' id='reg1'><query xmlns='jabber:iq:register'><instructions>Choose a username and password.</instructions>
      <username/><password/><email/></query></iq>`,
    `<iq type='result' id='reg3'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'>
      <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>
      <field type='text-single' var='username'><required/></field><field type='text-private' var='password'><required/></field>
      <field label='Enter the text you see' var='ocr'><media xmlns='urn:xmpp:media-element'><uri type='image/png'>cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org</uri></media></field>
    </x><data xmlns='urn:xmpp:bob' cid='sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org' type='image/png'>iVBORw0KGgo=</data></query></iq>`,
  ],
  // XEP-0357 §7 Example 9: the publish an app server receives.
  push: [
    `<iq type='set' from='example.org' to='${ME}' id='n12345'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
      <publish node='yxs32uqsflafdk3iuqo'><item><notification xmlns='urn:xmpp:push:0'><x xmlns='jabber:x:data'>
        <field var='FORM_TYPE'><value>urn:xmpp:push:summary</value></field><field var='message-count'><value>1</value></field>
        <field var='last-message-sender'><value>juliet@capulet.example/balcony</value></field></x></notification></item></publish>
      <publish-options><x xmlns='jabber:x:data'><field var='FORM_TYPE'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>
        <field var='secret'><value>eruio234vzxc2kla-91</value></field></x></publish-options></pubsub></iq>`,
  ],
  // XEP-0060 §7.1.2.1 / XEP-0084 §4.2 / XEP-0172 §4: notifications and an items result; XEP-0153 presence.
  pubsub: [
    `<message from='${CONTACT}' to='${ME}' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'>
      <items node='urn:xmpp:avatar:metadata'><item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>
        <metadata xmlns='urn:xmpp:avatar:metadata'><info bytes='12345' height='64' id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f' type='image/png' width='64'/></metadata>
      </item></items></event></message>`,
    `<message from='${CONTACT}' to='${ME}'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='http://jabber.org/protocol/nick'>
      <item><nick xmlns='http://jabber.org/protocol/nick'>Ishmael</nick></item></items></event></message>`,
    `<iq type='result' from='pubsub.example.org' to='${ME}' id='items1'><pubsub xmlns='http://jabber.org/protocol/pubsub'>
      <items node='princely_musings'><item id='368866411b877c30064a5f62b917cffe'><entry xmlns='http://www.w3.org/2005/Atom'><title>The Uses of This World</title></entry></item></items>
      <set xmlns='http://jabber.org/protocol/rsm'><first>a</first><last>b</last><count>19</count></set></pubsub></iq>`,
    `<presence from='${CONTACT}/phone' to='${ME}'><x xmlns='vcard-temp:x:update'><photo>sha1-hash-of-image</photo></x></presence>`,
  ],
  sm: [
    `<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' location='[2001:41D0:1:A49b::1]:9222' resume='true' max='600'/>`,
    `<a xmlns='urn:xmpp:sm:3' h='4294967295'/>`,
    `<resumed xmlns='urn:xmpp:sm:3' h='another-sequence-number' previd='some-long-sm-id'/>`,
    `<failed xmlns='urn:xmpp:sm:3' h='12'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>`,
  ],
} as const;

export type SeedGroup = keyof typeof SEEDS;

export const ALL_SEEDS: readonly string[] = Object.values(SEEDS).flat();
