package email

// Kind is the channels.kind of e-mail channels.
const Kind = "email"
