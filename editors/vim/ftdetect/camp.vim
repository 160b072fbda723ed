" camp batch-campaign files
autocmd BufRead,BufNewFile *.camp setfiletype camp
