"""Alert delivery: composing the e-mail, sending it over SMTP, recording it, and the local mailbox."""
