package generate

import "strings"

// Name lists for synthetic people: forenames and surnames common in the
// UK across its communities, with accents as people write them, so a
// register built from them has the many near-alike names search must
// rank (Mohammed and Muhammad Khan, John and Jon Smith, Zoë and Zoe).
var (
	maleNames = strings.Fields(`John Jon Jonathan James Jamie Jim William Liam Bill Robert Rob Michael Mike Richard Ricky Anthony
		Tony Thomas Tom Christopher Chris Daniel Danny David Dave Edward Eddie Joseph Joe Matthew Matt Nicholas Nick Patrick Paddy
		Samuel Sam Stephen Steven Steve Alexander Alex Andrew Andy Benjamin Ben Charles Charlie Frederick Freddie Henry Harry George
		Jack Oliver Noah Leo Oscar Archie Arthur Theo Lewis Louis Luke Lucas Kieran Ciaran Declan Connor Conor Aidan Owen Rhys Reece
		Dylan Callum Jayden Tyrone Darren Wayne Lee Craig Kevin Gary Paul Mark Marcus Carl Karl Dean Shane Sean Shaun Ian Iain Niall
		Neil Mohammed Muhammad Mohamed Mohammad Ahmed Ahmad Ali Hassan Hussain Hussein Ibrahim Omar Umar Usman Osman Yusuf Yousef
		Tariq Imran Khalid Karim Abdul Abdullah Bilal Hamza Zain Ayaan Adam Aaron Ravi Raj Rajesh Sanjay Amit Vikram Arjun Harpreet
		Gurpreet Jaswinder Kwame Kofi Emmanuel Chidi Olumide Tunde Segun Jerome Delroy Winston Marlon Andre Andrzej Piotr Krzysztof
		Tomasz Łukasz Paweł Marek Jakub Wojciech Mateusz Gheorghe Ionuț Florin Bogdan Vasile Dmitri Sergei Aleksandr José Jorge
		Luis Carlos João Pedro Giovanni Marco Luca Stefan Nikola Dragan Arben Besnik Ermal Kristian Ramón Séamus Eoin Dáithí`)
	femaleNames = strings.Fields(`Mary Maria Elizabeth Liz Beth Katherine Catherine Kathryn Kate Katie Margaret Maggie Jennifer Jenny
		Rebecca Becky Susan Sue Victoria Vicky Alexandra Deborah Debbie Patricia Jacqueline Jackie Christine Samantha Sam Jessica
		Jess Rachel Sarah Sara Hannah Anna Anne Joanne Joanna Siobhan Sinead Niamh Aoife Helen Ellen Eleanor Zoë Zoe Chloe Natalie
		Natasha Amanda Louise Lucy Emma Olivia Amelia Isla Ava Mia Grace Lily Sophie Sophia Emily Ella Poppy Evie Freya Jade Leanne
		Kayleigh Stacey Tracey Shannon Megan Lauren Charlotte Amy Laura Nicola Claire Kelly Donna Michelle Fatima Aisha Ayesha
		Yasmin Jasmine Zainab Khadija Maryam Mariam Amina Noor Sana Samina Nadia Shabnam Priya Anjali Sunita Kiran Harjit Manpreet
		Gurdeep Chiamaka Ngozi Funmilayo Abena Ama Precious Marcia Simone Agnieszka Katarzyna Małgorzata Magdalena Joanna Ewa Anna
		Ioana Elena Andreea Mihaela Olga Natalia Svetlana Irina Ana Lucía Inês Giulia Francesca Chiara Renée Zsófia Eimear Bríd Sinéad`)
	surnames = strings.Fields(`Smith Smyth Jones Johnson Johnston Williams Williamson Taylor Brown Browne Davies Davis Evans Wilson
		Thomas Roberts Robertson Robinson Wright Thompson Thomson Walker White Edwards Hughes Green Greene Hall Wood Harris Lewis
		Martin Jackson Clarke Clark Turner Hill Scott Cooper Morris Ward Moore King Watson Baker Harrison Morgan Patel Young Allen
		Mitchell James Anderson Phillips Lee Bell Parker Davidson Campbell Stewart Stuart Murray MacDonald McDonald Macdonald
		Reid Reed Kelly O'Neill O'Neil O'Brien Murphy Byrne Ryan Doyle McCarthy Gallagher Doherty Docherty Kennedy Lynch Quinn
		Walsh Welsh Khan Khann Ahmed Ahmad Ali Hussain Hussein Rahman Begum Akhtar Iqbal Mahmood Mahmud Shah Hassan Chaudhry
		Choudhury Chowdhury Malik Butt Bhatti Qureshi Siddiqui Mirza Sheikh Shaikh Aziz Rashid Raza Abbas Nawaz Anwar Islam Uddin
		Miah Singh Kaur Sharma Kumar Gill Sandhu Sidhu Dhillon Grewal Bains Kang Mistry Desai Mehta Shah Joshi Okafor Okonkwo
		Adeyemi Adebayo Oyelaran Mensah Owusu Boateng Asante Campbell Grant Francis Henry Richards Clarke Nowak Kowalski Kowalczyk
		Wiśniewski Wójcik Lewandowski Kamiński Zieliński Szymański Woźniak Dąbrowski Popescu Ionescu Popa Dumitru Stan Constantin
		Ivanov Petrov Smirnov Kuznetsov García González Rodríguez Fernández López Martínez Sánchez Pérez Silva Santos Ferreira
		Rossi Russo Bianchi Romano Colombo Ricci Marino Greco Hoxha Krasniqi Berisha Gashi Shehu Kastrati Nguyen Tran Pham Le
		Chen Wang Zhang Liu Li Yilmaz Kaya Demir Şahin Çelik Öztürk Aydın Doğan Arslan Smith-Jones Hughes-Williams Price Pryce
		Rees Rhys Powell Owen Owens Bowen Jenkins Jenkinson Griffiths Griffith Lloyd Llewellyn Morgan Phillips Vaughan Parry
		Foster Fletcher Fisher Fischer Gray Grey Hunt Hunter Mills Miles Shaw Shore Walsh Webb Wells Burns Byrnes Chapman Dixon
		Ellis Elliott Elliot Ford Gibson Graham Hamilton Holmes Jordan Knight Lawrence Marshall Mason Matthews Mathews Palmer
		Pearson Pierson Rogers Rodgers Russell Simpson Spencer Stevens Stephens Stephenson Stevenson Wallace Warren Watts West
		Cox Cook Cooke Cole Coles Dunn Dunne Fox Hayes Hay Hay-Smith Heath Kerr Carr Lamb Lambert Lowe Low Lynch Mann Mannion`)
	nicknameList = strings.Fields(`Smudge Tiny Big Little Ghost Shadow Spider Snake Tank Bullet Flash Chico Junior Sonny Biggie Skinny
		Red Ginger Blue Razor Stone Scar Chopper Digger Jester Prince Duke King Mouse Rocky Sly Taz Wolf Fox Bear Mad Kid Ace Dodger`)
	groupWords = strings.Fields(`Northside Southside Eastside Westside Riverside Hilltop Harbour Station Market Canal Park Castle Bridge
		Moor Valley Docks Crescent Green Mill Forge Quarry Chapel Abbey Manor Grange Heath Fields Tower Square Gate Cross Wharf`)
	groupKinds     = strings.Fields(`Crew Boys Firm Gang Network Line Family Syndicate Mob Posse Clique Outfit`)
	operationWords = strings.Fields(`Ember Falcon Granite Harbour Iris Juniper Kestrel Lantern Meridian Nightjar Onyx Pennant Quartz
		Raven Sapphire Tundra Umber Vanguard Willow Xylem Yarrow Zephyr Anvil Beacon Cobalt Delta Eclipse Fathom Glacier Hawthorn
		Indigo Jackdaw Kingfisher Larch Magpie Nettle Orchid Plover Quill Rowan Sorrel Thistle Upland Vesper Wren`)
)
