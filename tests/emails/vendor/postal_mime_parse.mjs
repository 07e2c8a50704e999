// Parse one raw message from standard input with postal-mime, a JavaScript mail parser that shares no code
// with Python's email package, and print what it read as JSON: header values as they were written (unfolded,
// never decoded), the sender, the text and HTML bodies, and every attachment's text.
import PostalMime from './postal-mime/postal-mime.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const email = await PostalMime.parse(Buffer.concat(chunks));
const decoder = new TextDecoder('utf-8', { fatal: true });
process.stdout.write(JSON.stringify({
    headers: email.headers.map(({ key, value }) => [key, value]),
    from: email.from,
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((attachment) => ({
        filename: attachment.filename,
        mimeType: attachment.mimeType,
        method: attachment.method ?? null,
        content: decoder.decode(attachment.content),
    })),
}));
