"""The library (法律法规库): legal documents and their articles, entered by hand or uploaded, versions compared,
full-text search (legal bases, documents, powers) and the search's thesaurus."""
