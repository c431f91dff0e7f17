"""The Glossary: every term the pages define (their `defines:` front matter), each with its definition and a link to the page that explains it."""
