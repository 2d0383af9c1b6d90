require ["fileinto", "imap4flags"];
# A comment
if anyof (header :contains "subject" ["urgent", "asap"], address :domain :is "from" "example.org") {
    addflag "\\Flagged";
    fileinto "INBOX.Urgent";
    stop;
}
elsif not exists "date" { discard; }
else { keep; }
