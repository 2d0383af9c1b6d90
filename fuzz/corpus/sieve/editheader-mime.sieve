require ["editheader", "mime", "foreverypart", "body", "relational", "comparator-i;ascii-numeric"];
foreverypart :name "outer" {
    if header :mime :type "Content-Type" "text" { break :name "outer"; }
}
if body :text :contains "hello" { addheader :last "X-Body" "yes"; }
if header :count "ge" :comparator "i;ascii-numeric" "received" "2" { deleteheader "X-Old"; }
if size :over 10K { redirect "big@example.com"; }
