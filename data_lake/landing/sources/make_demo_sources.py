# ruff: noqa: E501  (the hand-written sentences are long string literals)
"""Rebuild the demo sources of the landing zone (deterministic; run from anywhere).

    .venv/bin/python data_lake/landing/sources/make_demo_sources.py

Every sentence below was written by hand for this project (licence: Apache-2.0, like the repo);
nothing is copied from a public data set. The script writes, next to itself:

- chat_fr.jsonl       SmolTalk/OpenAssistant shape: {"id", "messages": [{"role", "content"}]}
- aya_style.parquet   Aya shape: id, inputs, targets, language
- alpaca_style.csv    Alpaca shape: instruction, input, output (no id column)
- README.md           what each file holds, row counts by language, planted duplicate ids

Rows are shuffled with a fixed seed, so the files are identical on every run.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent

# ============================================================================ chat_fr.jsonl
# (user, assistant) pairs, then (user, assistant, user, assistant) conversations.

CHAT_FR = [
    ("Pourquoi le ciel est-il bleu pendant la journée ?",
     "La lumière du soleil contient toutes les couleurs, mais les molécules de l'air diffusent beaucoup plus les courtes longueurs d'onde, comme le bleu. C'est ce qu'on appelle la diffusion de Rayleigh. Au coucher du soleil, la lumière traverse une couche d'air plus épaisse et le bleu est dispersé avant de nous parvenir, d'où les teintes orangées."),
    ("Comment réussir une pâte à crêpes sans grumeaux ?",
     "Versez la farine dans un saladier, creusez un puits et ajoutez les œufs. Incorporez le lait petit à petit en fouettant depuis le centre, de façon à obtenir d'abord une pâte épaisse et lisse avant de la détendre. Laissez-la reposer une heure au frais avant la cuisson."),
    ("Qui était Jeanne d'Arc et pourquoi est-elle célèbre ?",
     "Jeanne d'Arc était une jeune paysanne lorraine qui, pendant la guerre de Cent Ans, affirma avoir reçu une mission divine. Elle contribua à lever le siège d'Orléans en 1429 et fit sacrer Charles VII à Reims. Capturée puis jugée pour hérésie, elle fut brûlée à Rouen en 1431."),
    ("Un train part à 14 h 10 et arrive à 16 h 45. Combien de temps dure le trajet ?",
     "De 14 h 10 à 16 h 10, il s'écoule deux heures, puis il reste encore 35 minutes jusqu'à 16 h 45. Le trajet dure donc 2 heures et 35 minutes."),
    ("Quelle est la différence entre « a » et « à » ?",
     "« A » sans accent est le verbe avoir conjugué à la troisième personne du singulier : on peut le remplacer par « avait ». « À » avec un accent grave est une préposition, comme dans « Je vais à Lyon ». Si la phrase reste correcte avec « avait », il faut écrire « a »."),
    ("Que faut-il voir lors d'un premier séjour à Lisbonne ?",
     "Commencez par flâner dans l'Alfama et montez jusqu'au château Saint-Georges pour la vue sur le Tage. Le quartier de Belém, avec sa tour et le monastère des Hiéronymites, mérite une demi-journée, sans oublier d'y goûter les fameux pastéis. Le soir, le Bairro Alto est animé et l'on y écoute souvent du fado."),
    ("J'ai du mal à m'endormir le soir. Avez-vous des conseils ?",
     "Essayez de vous coucher et de vous lever à heures fixes, même le week-end. Évitez les écrans et la caféine en fin de journée, et gardez votre chambre fraîche et sombre. Si vous ne dormez toujours pas au bout de vingt minutes, levez-vous et lisez un peu avant de retenter."),
    ("Comment les plantes fabriquent-elles leur nourriture ?",
     "Les plantes réalisent la photosynthèse : grâce à la chlorophylle contenue dans leurs feuilles, elles captent l'énergie lumineuse. Elles l'utilisent pour transformer le dioxyde de carbone de l'air et l'eau puisée par les racines en glucose, en rejetant de l'oxygène."),
    ("Combien de temps faut-il cuire un œuf mollet ?",
     "Plongez l'œuf dans l'eau déjà bouillante et comptez six minutes pour un œuf de taille moyenne sorti du réfrigérateur. Passez-le ensuite sous l'eau froide pour arrêter la cuisson, ce qui facilite aussi l'écalage."),
    ("Pourquoi la Révolution française a-t-elle éclaté en 1789 ?",
     "Plusieurs causes se sont combinées : une crise financière grave de la monarchie, de mauvaises récoltes qui ont fait flamber le prix du pain, et la diffusion des idées des Lumières. La convocation des États généraux a cristallisé les frustrations du tiers état, qui s'est proclamé Assemblée nationale en juin 1789."),
    ("Marie achète trois cahiers à 2,40 euros chacun et paie avec un billet de 10 euros. Combien lui rend-on ?",
     "Les trois cahiers coûtent 3 × 2,40 = 7,20 euros. On lui rend donc 10 − 7,20 = 2,80 euros."),
    ("Quand faut-il accorder le participe passé avec l'auxiliaire avoir ?",
     "Avec l'auxiliaire avoir, le participe passé s'accorde avec le complément d'objet direct seulement si celui-ci est placé avant le verbe. On écrit ainsi « J'ai mangé les pommes », mais « Les pommes que j'ai mangées étaient sucrées »."),
    ("Quel est le meilleur moment pour visiter la Bretagne ?",
     "La fin du printemps et le début de l'automne sont souvent idéaux : les jours sont longs, la foule est moins dense et les prix plus doux. Le temps reste changeant toute l'année, alors prévoyez toujours un vêtement imperméable, même en juillet."),
    ("Comment puis-je mieux gérer mon budget chaque mois ?",
     "Commencez par noter toutes vos dépenses pendant un mois pour savoir où part votre argent. Fixez ensuite une somme à épargner dès que le salaire arrive, comme s'il s'agissait d'une facture. Enfin, réservez une petite enveloppe aux plaisirs pour ne pas vous décourager."),
    ("Qu'est-ce qu'un trou noir ?",
     "Un trou noir est une région de l'espace où la matière est si concentrée que rien, pas même la lumière, ne peut s'en échapper. Il se forme souvent lorsqu'une étoile très massive s'effondre sur elle-même à la fin de sa vie. Sa frontière s'appelle l'horizon des événements."),
    ("Quelle est la recette traditionnelle de la ratatouille ?",
     "Coupez en dés des aubergines, des courgettes, des poivrons, des oignons et des tomates. Faites revenir chaque légume séparément dans l'huile d'olive, puis réunissez-les avec de l'ail, du thym et du laurier. Laissez mijoter doucement une bonne heure pour que les saveurs se mêlent."),
    ("Pourquoi Napoléon a-t-il perdu la bataille de Waterloo ?",
     "En juin 1815, Napoléon a retardé son attaque à cause d'un sol détrempé par la pluie, ce qui a laissé le temps aux Prussiens de Blücher de rejoindre les troupes de Wellington. Des ordres mal transmis et les charges de cavalerie trop précoces de Ney ont aussi pesé. Pris entre deux armées, les Français ont fini par céder."),
    ("Un rectangle mesure 12 cm de long et 5 cm de large. Quelle est son aire et quel est son périmètre ?",
     "L'aire du rectangle vaut 12 × 5 = 60 centimètres carrés. Son périmètre, lui, vaut 2 × (12 + 5) = 34 centimètres."),
    ("Faut-il écrire « quelque fois » ou « quelquefois » ?",
     "« Quelquefois » en un mot signifie « parfois » : « Il vient quelquefois dîner ». « Quelques fois » en deux mots, avec un s, désigne un petit nombre de fois : « Je l'ai vu quelques fois cette année »."),
    ("Quels documents faut-il pour voyager au Canada depuis la France ?",
     "Il faut un passeport valide pour toute la durée du séjour. Pour un voyage en avion, les Français doivent aussi obtenir une autorisation de voyage électronique, à demander en ligne avant le départ. Pensez à vérifier les règles en vigueur sur le site officiel du gouvernement canadien."),
    ("Comment dire non à un collègue sans le vexer ?",
     "Remerciez-le d'avoir pensé à vous, puis expliquez simplement que votre charge de travail ne vous permet pas d'accepter cette fois-ci. Si c'est possible, proposez une alternative, comme un autre moment ou une autre personne. Un refus clair et poli est souvent mieux reçu qu'une promesse que l'on ne tient pas."),
    ("Pourquoi les feuilles des arbres changent-elles de couleur en automne ?",
     "Quand les jours raccourcissent, l'arbre cesse de produire de la chlorophylle, le pigment vert des feuilles. Les pigments jaunes et orangés, déjà présents mais masqués, deviennent alors visibles. Certaines espèces fabriquent aussi des pigments rouges à cette saison."),
    ("Comment conserver des herbes fraîches plus longtemps ?",
     "Pour le persil ou la coriandre, placez les tiges dans un verre d'eau comme un bouquet et couvrez-les d'un sachet au réfrigérateur. Le basilic préfère rester à température ambiante. Vous pouvez aussi hacher les herbes et les congeler avec un peu d'huile dans un bac à glaçons."),
    ("Qu'a apporté la loi de 1905 en France ?",
     "La loi du 9 décembre 1905 a instauré la séparation des Églises et de l'État. Elle garantit la liberté de conscience et le libre exercice des cultes, tout en précisant que la République ne reconnaît, ne salarie ni ne subventionne aucun culte. C'est l'un des fondements de la laïcité française."),
    ("Paul a lu 45 pages lundi, et chaque jour il lit 10 pages de plus que la veille. Combien de pages aura-t-il lues au total jeudi soir ?",
     "Il lit 45 pages le lundi, 55 le mardi, 65 le mercredi et 75 le jeudi. En additionnant, on obtient 240 pages lues sur les quatre jours."),
    ("Quelle est la différence entre le passé composé et l'imparfait ?",
     "Le passé composé présente une action terminée et délimitée dans le temps, par exemple « Hier, j'ai pris le train ». L'imparfait décrit une situation, une habitude ou une action en cours dans le passé, comme « Quand j'étais petit, je prenais le train chaque été ». On les combine souvent dans un même récit."),
    ("Est-ce une bonne idée de visiter Venise en hiver ?",
     "Oui, à condition d'accepter le froid et le brouillard, qui donnent d'ailleurs à la ville une atmosphère magnifique. Il y a beaucoup moins de touristes et les hôtels sont moins chers. Renseignez-vous toutefois sur les marées hautes, fréquentes de novembre à février."),
    ("Comment rester motivé quand on apprend une langue seul ?",
     "Fixez-vous un objectif concret, par exemple tenir une conversation simple dans trois mois. Travaillez un peu chaque jour plutôt que longtemps une fois par semaine, et mêlez les supports : séries, podcasts, lectures faciles. Trouver un partenaire d'échange linguistique aide aussi beaucoup à garder le rythme."),
    ("Pourquoi la Lune présente-t-elle des phases ?",
     "La Lune ne produit pas de lumière : elle réfléchit celle du Soleil. Selon sa position autour de la Terre, nous voyons une partie plus ou moins grande de sa face éclairée. Le cycle complet, de la nouvelle lune à la suivante, dure environ vingt-neuf jours et demi."),
    ("Comment faire une vinaigrette classique ?",
     "Mélangez une cuillère à soupe de vinaigre avec une pincée de sel jusqu'à ce qu'il fonde, ajoutez une cuillère à café de moutarde, puis trois cuillères à soupe d'huile en fouettant. Poivrez à la fin. Vous pouvez ajouter une échalote ciselée ou des herbes selon vos goûts."),
    ("Qui a construit le château de Versailles ?",
     "Le château a d'abord été un pavillon de chasse de Louis XIII. C'est Louis XIV qui l'a fait agrandir à partir des années 1660, avec l'architecte Louis Le Vau puis Jules Hardouin-Mansart, le peintre Charles Le Brun et le jardinier André Le Nôtre. La cour s'y est installée en 1682."),
    ("Une recette pour quatre personnes demande 300 g de farine. Combien en faut-il pour six personnes ?",
     "Pour une seule personne, il faut 300 ÷ 4 = 75 grammes de farine. Pour six personnes, il en faut donc 75 × 6 = 450 grammes."),
    ("Comment savoir si un mot prend deux « l » ou un seul ?",
     "Il n'existe pas de règle unique, mais les familles de mots aident beaucoup : « colle » donne « coller », « ballon » donne « ballonnet ». La plupart des verbes en -eler doublent le l devant un e muet, comme « j'appelle », sauf quelques-uns comme « geler » ou « peler », qui prennent un accent grave : « il gèle ». En cas de doute, le dictionnaire reste le meilleur allié."),
    ("Que faire à Marseille pendant un week-end ?",
     "Promenez-vous sur le Vieux-Port, puis montez à Notre-Dame-de-la-Garde pour admirer toute la ville. Le quartier du Panier et le Mucem se visitent facilement à pied. Si le temps le permet, consacrez une matinée aux calanques, en bateau ou en randonnée."),
    ("Comment préparer un entretien d'embauche ?",
     "Renseignez-vous sur l'entreprise, ses produits et son actualité. Préparez quelques exemples concrets de réussites et de difficultés surmontées, et entraînez-vous à les raconter brièvement. Pensez aussi à poser deux ou trois questions sur le poste : cela montre votre intérêt."),
    ("Qu'est-ce que l'effet de serre ?",
     "L'effet de serre est un phénomène naturel : certains gaz de l'atmosphère, comme la vapeur d'eau et le dioxyde de carbone, retiennent une partie de la chaleur émise par la Terre. Sans lui, la température moyenne serait d'environ moins dix-huit degrés. Les activités humaines renforcent cet effet, ce qui provoque le réchauffement climatique."),
    ("Comment réussir une mayonnaise maison ?",
     "Tous les ingrédients doivent être à la même température, idéalement ambiante. Fouettez un jaune d'œuf avec une cuillère de moutarde, puis versez l'huile d'abord goutte à goutte, puis en filet dès que la sauce épaissit. Salez, poivrez et ajoutez quelques gouttes de vinaigre ou de citron à la fin."),
    ("Qu'est-ce que la guerre froide ?",
     "La guerre froide désigne la rivalité entre les États-Unis et l'Union soviétique de 1947 à 1991. Les deux puissances ne se sont jamais affrontées directement, mais elles se sont opposées par la course aux armements, la conquête spatiale et des conflits indirects, comme en Corée ou au Vietnam. Elle s'achève avec l'effondrement de l'URSS."),
    ("Un cycliste roule à 18 km/h de moyenne. Quelle distance parcourt-il en 2 h 20 ?",
     "Deux heures et vingt minutes font sept tiers d'heure. Il parcourt donc 18 × 7 ÷ 3, c'est-à-dire 42 kilomètres."),
    ("Quand utilise-t-on le subjonctif en français ?",
     "On emploie le subjonctif après des expressions de volonté, de sentiment, de doute ou de nécessité, par exemple « Il faut que tu viennes » ou « Je suis content qu'elle soit là ». Il suit aussi certaines conjonctions comme « bien que », « pour que » ou « avant que »."),
    ("Quels sont les incontournables d'un voyage au Japon ?",
     "Pour un premier voyage, Tokyo et Kyoto forment une bonne base : l'une pour la modernité et les quartiers animés, l'autre pour les temples et les jardins. Une excursion à Nara ou à Hiroshima complète bien le séjour. Le pass ferroviaire peut être rentable si vous enchaînez plusieurs longs trajets."),
    ("Comment aider un enfant qui a peur du noir ?",
     "Prenez sa peur au sérieux sans vous moquer, et parlez-en avec lui en journée, à tête reposée. Une petite veilleuse, un rituel du coucher rassurant et un doudou peuvent beaucoup aider. Évitez les histoires ou les images effrayantes juste avant de dormir."),
    ("Pourquoi l'eau de mer est-elle salée ?",
     "La pluie dissout lentement les minéraux des roches et les rivières les transportent jusqu'à l'océan. Quand l'eau de mer s'évapore, le sel reste sur place et se concentre au fil des millions d'années. Les sources hydrothermales des fonds marins apportent aussi des sels dissous."),
    ("Comment faire lever une pâte à pain correctement ?",
     "Utilisez de l'eau tiède, jamais chaude, pour ne pas tuer la levure. Pétrissez suffisamment pour développer le gluten, puis couvrez la pâte d'un torchon et laissez-la dans un endroit tiède, à l'abri des courants d'air. Elle doit doubler de volume, ce qui prend en général une à deux heures."),
    ("Qui était Marie Curie ?",
     "Marie Curie, née à Varsovie en 1867, était une physicienne et chimiste naturalisée française. Avec son mari Pierre, elle a découvert le polonium et le radium. Elle a été la première femme à recevoir un prix Nobel et reste la seule personne récompensée dans deux sciences différentes."),
    ("Dans une classe de 28 élèves, les trois quarts ont rendu leur devoir. Combien d'élèves ne l'ont pas rendu ?",
     "Les trois quarts de 28 font 21 élèves. Il y a donc 28 − 21 = 7 élèves qui n'ont pas rendu leur devoir."),
    ("Pourquoi dit-on « des chevaux » mais « des festivals » ?",
     "La plupart des noms en -al font leur pluriel en -aux, comme « cheval » ou « journal ». Quelques exceptions gardent un simple s : « bal », « carnaval », « chacal », « festival », « récital » et « régal ». Il faut les apprendre par cœur."),
    ("Comment voyager en train à travers l'Europe sans se ruiner ?",
     "Réservez tôt les trains à grande vitesse, car les prix augmentent à l'approche du départ. Les pass ferroviaires peuvent être intéressants pour les longs itinéraires, surtout si vous avez moins de vingt-huit ans. Pensez aussi aux trains de nuit, qui vous font économiser une nuit d'hôtel."),
    ("Je me sens souvent débordé au travail. Comment mieux m'organiser ?",
     "Chaque matin, listez vos tâches et identifiez les deux ou trois qui comptent vraiment. Bloquez des plages de travail sans interruption, en coupant les notifications. Enfin, n'hésitez pas à signaler à votre responsable quand la charge devient irréaliste : c'est une information utile, pas un aveu de faiblesse."),
    ("Comment fonctionne un vaccin ?",
     "Un vaccin présente au système immunitaire un élément inoffensif d'un microbe, par exemple une protéine ou un virus affaibli. L'organisme apprend ainsi à le reconnaître et fabrique des anticorps ainsi que des cellules mémoire. En cas d'infection réelle, la défense se met en place beaucoup plus vite."),
    ("Quel vin servir avec un plateau de fromages ?",
     "Contrairement à une idée reçue, le vin blanc accompagne souvent mieux les fromages que le rouge. Un blanc sec de Loire convient bien aux fromages de chèvre, tandis qu'un vin jaune du Jura sublime un comté affiné. Pour les bleus, un vin doux comme un sauternes crée un contraste très apprécié."),
    ("Que s'est-il passé le 6 juin 1944 ?",
     "Le 6 juin 1944, les forces alliées ont débarqué sur les plages de Normandie : c'est le jour J. Près de 150 000 soldats américains, britanniques, canadiens et français ont pris pied sur le continent. Cette opération a ouvert un nouveau front à l'ouest et accéléré la libération de la France."),
    ("Un magasin fait une remise de 20 % sur un manteau à 85 euros. Quel est le nouveau prix ?",
     "La remise vaut 85 × 0,20 = 17 euros. Le manteau coûte donc désormais 85 − 17 = 68 euros."),
    ("Comment choisir entre « leur » et « leurs » ?",
     "Devant un verbe, « leur » est un pronom et reste toujours invariable : « Je leur parle ». Devant un nom, c'est un déterminant possessif qui s'accorde : « leur maison » pour une seule maison, « leurs enfants » pour plusieurs."),
    ("Quelles randonnées conseillez-vous dans les Pyrénées ?",
     "Le cirque de Gavarnie est un classique accessible, avec sa grande cascade au fond. Pour les marcheurs plus entraînés, le tour des lacs du Néouvielle offre des paysages superbes. Renseignez-vous toujours sur la météo, qui change très vite en montagne."),
    ("Comment se remettre au sport après une longue pause ?",
     "Reprenez progressivement, avec deux ou trois séances courtes par semaine, et augmentez l'intensité petit à petit. Choisissez une activité qui vous plaît, sinon la motivation retombe vite. Écoutez votre corps et accordez-vous des jours de repos pour éviter les blessures."),
    ("Pourquoi les volcans entrent-ils en éruption ?",
     "Sous la croûte terrestre, la roche fondue, appelée magma, est plus légère que les roches qui l'entourent et tend à remonter. Elle s'accumule dans une chambre magmatique, où la pression des gaz dissous augmente. Lorsque cette pression dépasse la résistance des roches, le magma s'échappe vers la surface."),
    ("Peut-on congeler du fromage ?",
     "Oui, mais la texture change souvent après décongélation. Les fromages à pâte dure comme le comté ou le parmesan, surtout râpés, supportent bien la congélation et s'utilisent ensuite en cuisine. Les fromages frais ou à croûte fleurie, en revanche, perdent beaucoup de leur qualité."),
    ("Qui était Victor Hugo ?",
     "Victor Hugo, né en 1802 et mort en 1885, est l'un des plus grands écrivains français. Poète, dramaturge et romancier, il a écrit « Les Misérables » et « Notre-Dame de Paris ». Engagé en politique, il s'est opposé à Napoléon III et a passé près de vingt ans en exil."),
    ("Combien de minutes y a-t-il dans une semaine ?",
     "Une heure compte 60 minutes et une journée 24 heures, soit 1 440 minutes par jour. Une semaine de sept jours contient donc 7 × 1 440 = 10 080 minutes."),
    ("Quelle est la différence entre « ces » et « ses » ?",
     "« Ces » est un déterminant démonstratif : il sert à montrer quelque chose, comme dans « ces fleurs-là ». « Ses » est un possessif qui signifie « les siens » ou « les siennes » : « Elle a perdu ses clés ». Pour vérifier, essayez d'ajouter « -là » après le nom ou de remplacer par « les siens »."),
    ("Quelle région française visiter pour découvrir des châteaux ?",
     "La vallée de la Loire est idéale : Chambord, Chenonceau, Amboise ou Cheverny se trouvent à moins d'une heure les uns des autres. On peut parcourir la région à vélo grâce à l'itinéraire de la Loire à Vélo. Le printemps est particulièrement agréable pour visiter les jardins."),
    ("Comment arrêter de procrastiner ?",
     "Découpez chaque tâche en étapes si petites qu'elles semblent ridicules, puis commencez par la première pendant seulement cinq minutes. Souvent, le plus dur est de se lancer. Éloignez aussi votre téléphone et récompensez-vous une fois le travail accompli."),
    ("Qu'est-ce que l'ADN ?",
     "L'ADN, ou acide désoxyribonucléique, est la molécule qui porte l'information génétique de presque tous les êtres vivants. Elle a la forme d'une double hélice composée de quatre bases, dont l'ordre constitue le code génétique. Chaque cellule en contient une copie presque complète."),
    ("Comment faire une béchamel ?",
     "Faites fondre 40 g de beurre dans une casserole, ajoutez 40 g de farine et remuez une minute sans laisser colorer. Versez ensuite un demi-litre de lait froid en fouettant sans arrêt jusqu'à épaississement. Salez, poivrez et ajoutez une pointe de muscade."),
    ("Pourquoi le mur de Berlin a-t-il été construit ?",
     "Le mur a été élevé en août 1961 par la RDA pour empêcher ses habitants de fuir vers Berlin-Ouest, alors que des millions de personnes avaient déjà quitté l'Allemagne de l'Est. Il a séparé la ville pendant vingt-huit ans, jusqu'à sa chute le 9 novembre 1989."),
    ("Trois amis se partagent une addition de 76,50 euros à parts égales. Combien chacun doit-il payer ?",
     "Il suffit de diviser le total par trois : 76,50 ÷ 3 = 25,50 euros. Chacun des trois amis paie donc 25,50 euros."),
    ("Faut-il dire « pallier à un problème » ou « pallier un problème » ?",
     "La forme recommandée est « pallier un problème », car le verbe « pallier » est transitif direct. La construction avec « à » est très répandue à l'oral, mais elle reste considérée comme fautive dans un texte soigné. Si vous tenez au « à », utilisez plutôt « remédier à »."),
    ("Quelles précautions prendre pour un voyage en Afrique de l'Ouest ?",
     "Consultez un médecin ou un centre de vaccinations internationales plusieurs semaines avant le départ : la fièvre jaune est obligatoire pour plusieurs pays et un traitement contre le paludisme est souvent conseillé. Emportez un répulsif contre les moustiques et buvez de l'eau en bouteille. Une assurance voyage couvrant le rapatriement est également recommandée."),
    ("Comment réagir face à un ami qui traverse une période difficile ?",
     "Le plus précieux est souvent d'écouter sans chercher tout de suite à donner des solutions. Proposez une aide concrète, comme partager un repas ou l'accompagner à un rendez-vous. Si sa détresse vous semble importante, encouragez-le avec délicatesse à consulter un professionnel."),
    ("Pourquoi a-t-on des saisons ?",
     "L'axe de rotation de la Terre est incliné d'environ 23 degrés par rapport à son orbite. Selon la période de l'année, un hémisphère reçoit les rayons du Soleil plus directement et pendant plus longtemps, ce qui donne l'été. Ce n'est donc pas la distance au Soleil qui explique les saisons."),
    ("Comment rattraper une sauce trop salée ?",
     "Vous pouvez la diluer avec un peu d'eau, de crème ou de bouillon non salé si la texture le permet. Ajouter une pomme de terre crue coupée en morceaux et la laisser cuire quelques minutes peut aussi absorber une partie du sel. Une touche d'acidité, comme un filet de citron, atténue l'impression de salé."),
    ("Qu'est-ce que la Renaissance ?",
     "La Renaissance est une période de renouveau artistique, scientifique et intellectuel, née en Italie au XIVe siècle puis répandue en Europe aux XVe et XVIe siècles. Elle s'inspire de l'Antiquité gréco-romaine et place l'être humain au centre de la réflexion. Léonard de Vinci et Michel-Ange en sont des figures emblématiques."),
    ("Un réservoir de 60 litres se remplit à raison de 4 litres par minute. Combien de temps faut-il pour le remplir à moitié ?",
     "La moitié du réservoir représente 30 litres. À 4 litres par minute, il faut 30 ÷ 4 = 7,5 minutes, soit 7 minutes et 30 secondes."),
    ("Quand met-on une majuscule aux noms de nationalité ?",
     "On met une majuscule quand le mot désigne des personnes : « les Français », « une Italienne ». L'adjectif et le nom de la langue s'écrivent en minuscules : « un vin français », « elle parle italien »."),
    ("Comment se déplacer à Paris quand on est touriste ?",
     "Le métro est le moyen le plus rapide : il dessert presque toute la ville et les stations sont très rapprochées. Les bus permettent de voir la ville en chemin, et les vélos en libre-service sont pratiques aux beaux jours. Beaucoup de quartiers centraux se découvrent aussi très bien à pied."),
    ("Comment mieux gérer le stress avant un examen ?",
     "Préparez un planning de révisions réaliste pour éviter de tout revoir la veille. Dormez suffisamment, surtout les derniers jours, et pratiquez quelques exercices de respiration lente quand l'angoisse monte. Le jour de l'épreuve, arrivez en avance et lisez tout le sujet avant de commencer."),
    ("Pourquoi les chats ronronnent-ils ?",
     "Les chats ronronnent souvent lorsqu'ils sont détendus et contents, par exemple quand on les caresse. Mais ils le font aussi quand ils sont stressés, malades ou qu'ils mettent bas, ce qui laisse penser que le ronronnement les apaise. Certaines études suggèrent même qu'il favoriserait la cicatrisation des os."),
    ("Quelle est l'origine de la galette des rois ?",
     "La galette des rois se partage pour l'Épiphanie, au début du mois de janvier. La tradition de la fève cachée remonterait aux Saturnales romaines, où l'on tirait au sort un roi d'un jour. Dans le nord de la France, on la prépare feuilletée et garnie de frangipane, tandis que le sud préfère une brioche aux fruits confits."),
    ("Qui était Charlemagne ?",
     "Charlemagne, roi des Francs à partir de 768, a considérablement agrandi son royaume par des conquêtes militaires. Il a été couronné empereur d'Occident à Rome en l'an 800. Il a encouragé l'enseignement et la copie des manuscrits, un mouvement qu'on appelle la renaissance carolingienne."),
    ("Si j'économise 35 euros par semaine, combien aurai-je mis de côté au bout d'un an ?",
     "Une année compte 52 semaines. Vous aurez donc économisé 35 × 52 = 1 820 euros à la fin de l'année."),
    ("Comment écrire correctement « quoique » et « quoi que » ?",
     "« Quoique » en un mot signifie « bien que » : « Quoiqu'il soit fatigué, il continue ». « Quoi que » en deux mots signifie « quelle que soit la chose que » : « Quoi que tu dises, je te crois ». Si l'on peut remplacer par « bien que », on écrit en un seul mot."),
    ("Que visiter en Alsace au moment des fêtes ?",
     "Les marchés de Noël de Strasbourg et de Colmar sont les plus célèbres, avec leurs chalets, leurs décorations et leur vin chaud. Les petits villages de la route des vins, comme Riquewihr ou Kaysersberg, sont aussi superbes à cette période. Réservez votre hébergement tôt, car la région est très fréquentée en décembre."),
    ("Comment bien choisir un matelas ?",
     "Essayez-le si possible en magasin, en vous allongeant plusieurs minutes dans votre position habituelle. Un matelas trop mou ne soutient pas le dos, tandis qu'un matelas trop ferme crée des points de pression. Beaucoup de marques proposent une période d'essai à domicile, ce qui vaut la peine d'être vérifié."),
    ("Comment se forme un arc-en-ciel ?",
     "Un arc-en-ciel apparaît quand la lumière du soleil traverse des gouttes de pluie. Chaque goutte réfracte la lumière, la réfléchit à l'intérieur puis la réfracte de nouveau en sortant, ce qui sépare les couleurs. Pour l'observer, il faut avoir le soleil dans le dos et la pluie devant soi."),
    ("Comment éviter que les pâtes collent entre elles ?",
     "Faites-les cuire dans une grande quantité d'eau bouillante bien salée, environ un litre pour cent grammes. Remuez pendant les premières minutes de cuisson, quand l'amidon se libère. Inutile d'ajouter de l'huile dans l'eau : égouttez-les et mélangez-les tout de suite à la sauce."),
    ("Quel était le rôle des moines au Moyen Âge ?",
     "Les moines vivaient en communauté dans des monastères et consacraient leurs journées à la prière et au travail. Ils copiaient les manuscrits, ce qui a permis de transmettre de nombreux textes antiques. Les abbayes servaient aussi de lieux d'accueil pour les pèlerins et de centres agricoles."),
    ("Un escargot monte le long d'un mur de 10 mètres. Chaque jour il grimpe de 3 mètres et chaque nuit il glisse de 2 mètres. En combien de jours atteint-il le sommet ?",
     "Chaque jour complet le fait progresser d'un mètre net. Au matin du huitième jour, il se trouve à 7 mètres, et en grimpant encore 3 mètres dans la journée, il atteint le sommet. Il lui faut donc 8 jours."),
]

CHAT_FR_MULTI = [
    ("Je voudrais préparer un gâteau au chocolat pour un anniversaire. Avez-vous une recette simple ?",
     "Faites fondre 200 g de chocolat noir avec 150 g de beurre, puis ajoutez 150 g de sucre, quatre œufs et 50 g de farine. Versez dans un moule beurré et enfournez 25 minutes à 180 degrés. Le centre doit rester légèrement fondant.",
     "Est-ce que je peux le préparer la veille ?",
     "Oui, ce gâteau est même souvent meilleur le lendemain, car sa texture se raffermit. Conservez-le couvert à température ambiante, ou au réfrigérateur s'il fait chaud, et sortez-le une heure avant de servir."),
    ("Je pars à Rome pour trois jours. Par quoi me conseillez-vous de commencer ?",
     "Le premier jour, visitez le Colisée, le Forum romain et le Palatin, qui se trouvent côte à côte. Réservez vos billets en ligne pour éviter les longues files d'attente.",
     "Et le Vatican, il faut combien de temps pour le visiter ?",
     "Comptez au moins une demi-journée pour les musées du Vatican et la chapelle Sixtine, plus une heure ou deux pour la basilique Saint-Pierre. Allez-y tôt le matin et évitez le mercredi matin, jour de l'audience pontificale."),
    ("Pouvez-vous m'expliquer ce qu'est une fraction ?",
     "Une fraction représente une partie d'un tout. Dans trois quarts, le nombre du bas, le dénominateur, indique en combien de parts égales on coupe le tout, et celui du haut, le numérateur, combien de parts on prend.",
     "Alors comment additionner un demi et un tiers ?",
     "Il faut d'abord mettre les deux fractions sur le même dénominateur. Ici, un demi devient trois sixièmes et un tiers devient deux sixièmes, donc la somme vaut cinq sixièmes."),
    ("Mon fils de dix ans ne veut plus lire. Que puis-je faire ?",
     "Laissez-le choisir ses lectures, même si ce sont des bandes dessinées ou des mangas : l'essentiel est de retrouver le plaisir de lire. Lire vous-même devant lui montre aussi l'exemple.",
     "Il dit que les livres de l'école l'ennuient.",
     "C'est très fréquent à cet âge. Vous pouvez lui proposer des romans d'aventure ou d'humour adaptés à ses centres d'intérêt, ou encore des livres audio pour les trajets. Une visite à la bibliothèque, où il choisit librement, peut aussi relancer sa curiosité."),
    ("Qu'est-ce que la tectonique des plaques ?",
     "La surface de la Terre est découpée en grandes plaques rigides qui se déplacent lentement sur le manteau, de quelques centimètres par an. Leurs mouvements expliquent la formation des montagnes, des océans et la répartition des séismes.",
     "Pourquoi y a-t-il autant de tremblements de terre au Japon ?",
     "Le Japon se trouve à la rencontre de quatre plaques tectoniques, dont plusieurs s'enfoncent les unes sous les autres. Les tensions accumulées le long de ces frontières se libèrent brutalement, ce qui provoque de nombreux séismes et parfois des tsunamis."),
    ("Je dois écrire une lettre de motivation. Comment la structurer ?",
     "Une bonne lettre tient en trois parties : ce que vous savez de l'entreprise et pourquoi elle vous attire, ce que vous pouvez lui apporter grâce à votre parcours, puis une conclusion qui propose un entretien. Restez sur une page.",
     "Est-ce que je dois répéter ce qui est écrit dans mon CV ?",
     "Non, la lettre doit compléter le CV, pas le résumer. Choisissez une ou deux expériences marquantes et expliquez en quoi elles vous préparent à ce poste précis."),
    ("Comment conjugue-t-on le verbe « aller » au futur simple ?",
     "Au futur simple, on dit : j'irai, tu iras, il ira, nous irons, vous irez, ils iront. Le radical est irrégulier, mais les terminaisons sont les mêmes que pour tous les autres verbes.",
     "Et au conditionnel présent, qu'est-ce que ça donne ?",
     "Le conditionnel garde le même radical et prend les terminaisons de l'imparfait : j'irais, tu irais, il irait, nous irions, vous iriez, ils iraient."),
    ("Pourquoi les dinosaures ont-ils disparu ?",
     "L'hypothèse la plus admise est la chute d'un grand astéroïde il y a environ 66 millions d'années, dans l'actuel golfe du Mexique. L'impact aurait provoqué des incendies gigantesques et obscurci le ciel pendant des mois, bouleversant le climat.",
     "Est-ce que tous les dinosaures ont vraiment disparu ?",
     "Pas tout à fait : les oiseaux sont les descendants directs de petits dinosaures à plumes. D'un point de vue scientifique, on peut donc dire que les dinosaures sont toujours parmi nous."),
    ("Je cherche une idée de plat végétarien pour recevoir des amis samedi.",
     "Un gratin de légumes d'automne à la courge, aux champignons et au fromage de chèvre fait toujours son effet. Vous pouvez aussi proposer un curry de pois chiches au lait de coco, servi avec du riz basmati.",
     "Le curry me tente. Est-ce qu'il est très épicé ?",
     "Vous dosez vous-même le piment, donc il peut rester très doux. Le lait de coco adoucit beaucoup le plat, et une pointe de citron vert au moment de servir lui apporte de la fraîcheur."),
    ("Combien font quinze pour cent de 240 ?",
     "Pour calculer quinze pour cent de 240, on multiplie 240 par 0,15, ce qui donne 36.",
     "Et si un article à 240 euros augmente de quinze pour cent, combien coûte-t-il ?",
     "Il suffit d'ajouter l'augmentation au prix de départ : 240 + 36 = 276 euros. On peut aussi calculer directement 240 × 1,15."),
    ("Quels sont les effets du café sur l'organisme ?",
     "La caféine stimule le système nerveux : elle réduit la sensation de fatigue et peut améliorer la concentration pendant quelques heures. Consommée en grande quantité, elle peut cependant provoquer de la nervosité et des palpitations.",
     "À partir de quelle heure faut-il arrêter d'en boire ?",
     "L'effet de la caféine dure plusieurs heures, si bien qu'il est conseillé d'éviter le café à partir du milieu de l'après-midi. Chez les personnes sensibles, une tasse prise à seize heures peut encore retarder l'endormissement."),
    ("Je vais faire le chemin de Compostelle à pied. Quel équipement prévoir ?",
     "L'essentiel est une bonne paire de chaussures de marche déjà rodées et un sac léger, idéalement moins de dix pour cent de votre poids. Prévoyez des vêtements techniques qui sèchent vite, une cape de pluie et une petite trousse de soins pour les pieds.",
     "Faut-il réserver les gîtes à l'avance ?",
     "En haute saison, sur les tronçons les plus fréquentés, c'est préférable, surtout si vous marchez en groupe. Au printemps ou à l'automne, on trouve généralement une place en arrivant dans l'après-midi."),
    ("Qui a inventé l'imprimerie, et à quelle époque ?",
     "En Europe, c'est Johannes Gutenberg qui a mis au point vers 1450 l'imprimerie à caractères mobiles en métal. Des techniques d'impression existaient déjà bien avant en Chine et en Corée.",
     "Quelles ont été les conséquences de cette invention ?",
     "Les livres sont devenus beaucoup moins chers et plus nombreux, ce qui a favorisé la diffusion des idées. L'imprimerie a joué un rôle majeur dans la Réforme protestante, dans la Renaissance et dans les progrès de la science."),
    ("Mon voisin fait du bruit tous les soirs. Comment aborder le sujet avec lui ?",
     "Commencez par une discussion calme, en journée, plutôt qu'au moment où le bruit vous dérange. Expliquez concrètement la gêne, par exemple que vous vous levez tôt, sans l'accuser.",
     "Et si rien ne change après notre discussion ?",
     "Vous pouvez lui adresser un courrier courtois qui rappelle votre échange, puis solliciter un conciliateur de justice, dont l'intervention est gratuite. Si vous êtes locataire, le propriétaire ou le syndic peut aussi intervenir."),
]

# Planted copies (chat_fr.jsonl only). Exact duplicates differ from their original only in case,
# whitespace or punctuation; near-duplicates change a few words of the answer.
EXACT_DUP_OF = [
    "Comment réussir une pâte à crêpes sans grumeaux ?",
    "Qu'est-ce qu'un trou noir ?",
    "Un magasin fait une remise de 20 % sur un manteau à 85 euros. Quel est le nouveau prix ?",
]
NEAR_DUPS = {
    "J'ai du mal à m'endormir le soir. Avez-vous des conseils ?": (
        "J'ai du mal à m'endormir le soir. Auriez-vous des conseils ?",
        "Essayez de vous coucher et de vous lever à heures régulières, même le week-end. Évitez les écrans et le café en fin de journée, et gardez votre chambre fraîche et sombre. Si vous ne dormez toujours pas au bout d'un quart d'heure, levez-vous et lisez un peu avant de retenter."),
    "Pourquoi la Lune présente-t-elle des phases ?": (
        "Pourquoi la Lune présente-t-elle différentes phases ?",
        "La Lune ne produit aucune lumière : elle réfléchit celle du Soleil. Selon sa position autour de la Terre, nous voyons une partie plus ou moins grande de sa face éclairée. Le cycle complet, d'une nouvelle lune à la suivante, dure à peu près vingt-neuf jours et demi."),
    "Comment faire une béchamel ?": (
        "Comment faire une sauce béchamel ?",
        "Faites fondre 40 g de beurre dans une casserole, ajoutez 40 g de farine et mélangez une minute sans laisser colorer. Versez ensuite un demi-litre de lait froid en fouettant sans cesse jusqu'à épaississement. Salez, poivrez et ajoutez une pincée de muscade."),
}

CHAT_EN = [
    ("What is the difference between weather and climate?",
     "Weather describes the conditions in the atmosphere over a short period, such as today's rain or tomorrow's sunshine. Climate is the average of those conditions over many years, usually thirty or more, for a given region."),
    ("How do I keep basil alive on a windowsill?",
     "Give it at least six hours of sunlight a day and water it when the top of the soil feels dry. Pinch off the flower buds as soon as they appear so the plant keeps producing leaves."),
    ("Why did the Roman Empire fall?",
     "Historians point to a mix of causes rather than a single one: political instability, economic troubles, pressure from migrating peoples on the borders, and the split between East and West. The Western Empire ended in 476, while the Eastern half survived for almost another thousand years."),
    ("A car travels 150 miles on 5 gallons of fuel. How far can it go on 8 gallons?",
     "The car covers 150 divided by 5, which is 30 miles per gallon. With 8 gallons, it can therefore travel 240 miles."),
    ("When should I use 'fewer' instead of 'less'?",
     "Use 'fewer' with things you can count, such as 'fewer apples' or 'fewer mistakes'. Use 'less' with quantities you cannot count individually, like 'less water' or 'less time'."),
    ("What should I pack for a week of hiking in Scotland?",
     "Bring waterproof boots, a good rain jacket and several warm layers, because the weather can change within an hour. Midge repellent is essential in summer, and a paper map is wise since phone signal is patchy in the Highlands."),
    ("How can I stop checking my phone all the time?",
     "Turn off every notification that is not truly urgent and move distracting apps off your home screen. Try leaving the phone in another room while you work or eat, and you will probably notice the urge fading after a few days."),
    ("How do bees turn nectar into honey?",
     "Worker bees collect nectar from flowers and store it in a special stomach, where enzymes begin to break down the sugars. Back at the hive, they pass it to other bees and deposit it in wax cells, then fan it with their wings until most of the water evaporates."),
    ("What is a good way to cook salmon at home?",
     "Season the fillet with salt, pepper and a little lemon, then place it skin side down in a hot oiled pan. Cook for about four minutes, flip it carefully and give it two more minutes, so the centre stays slightly pink."),
    ("Who was Nelson Mandela?",
     "Nelson Mandela was a South African leader who fought against apartheid and spent twenty-seven years in prison for his activism. After his release in 1990, he negotiated the end of the regime and became the country's first democratically elected president in 1994."),
    ("If a shirt costs 40 dollars after a 20% discount, what was the original price?",
     "After the discount, the shirt costs 80% of its original price. So the original price was 40 divided by 0.8, which comes to 50 dollars."),
    ("Is it 'affect' or 'effect'? I always mix them up.",
     "In most cases, 'affect' is a verb meaning to influence, while 'effect' is a noun meaning a result. For example, the weather can affect your mood, and the medicine had a strong effect."),
    ("What is the best way to see Iceland in ten days?",
     "Renting a car and driving the Ring Road is the most popular option, since it loops around the whole island. Ten days gives you time for waterfalls, glaciers and black sand beaches without rushing, as long as you avoid the worst of winter."),
    ("How do I ask my manager for a raise?",
     "Schedule a dedicated meeting rather than bringing it up in passing. Come prepared with concrete examples of your achievements and some data on typical salaries for your role, and state a specific figure instead of a vague request."),
    ("Why do we get goosebumps when we are cold or scared?",
     "Goosebumps happen when tiny muscles at the base of each hair contract, pulling the hairs upright. In our furry ancestors, this reflex helped trap warm air or made them look bigger to threats, and today it still appears when we are cold or moved by something."),
]

CHAT_ES = [
    ("¿Cómo se prepara una tortilla de patatas?",
     "Corta las patatas y la cebolla en láminas finas y fríelas a fuego lento en abundante aceite hasta que estén tiernas. Escúrrelas, mézclalas con huevos batidos y sal, y cuaja la mezcla en una sartén, dándole la vuelta con ayuda de un plato."),
    ("¿Por qué el cielo se vuelve rojo al atardecer?",
     "Al atardecer, la luz del sol atraviesa una capa de aire mucho más gruesa. Los colores azules se dispersan por el camino y solo llegan a nuestros ojos los tonos rojos y anaranjados."),
    ("¿Qué lugares me recomiendas visitar en Andalucía?",
     "No te pierdas la Alhambra de Granada, la Mezquita de Córdoba y el barrio de Santa Cruz en Sevilla. Si tienes tiempo, los pueblos blancos de Cádiz y las playas de Almería también merecen la pena."),
    ("Tengo veinte euros y gasto la cuarta parte en un libro. ¿Cuánto dinero me queda?",
     "La cuarta parte de veinte euros son cinco euros. Por lo tanto, todavía te quedan quince euros en el bolsillo."),
    ("¿Cuándo se usa el subjuntivo en español?",
     "El subjuntivo se usa para expresar deseos, dudas, emociones o situaciones hipotéticas. Por ejemplo, decimos «Espero que vengas mañana» o «No creo que llueva hoy»."),
    ("¿Cómo puedo concentrarme mejor cuando estudio?",
     "Estudia en un lugar tranquilo, deja el móvil lejos y trabaja en bloques de veinticinco minutos con pausas cortas entre ellos. Dormir bien y beber suficiente agua también mejora mucho la concentración."),
    ("¿Quién fue Simón Bolívar?",
     "Simón Bolívar fue un militar y político venezolano que lideró la independencia de varios países sudamericanos frente a España a principios del siglo diecinueve. Por eso se le conoce como el Libertador."),
    ("¿Cómo funcionan los imanes?",
     "Los imanes producen un campo magnético porque los electrones de sus átomos están alineados en la misma dirección. Cada imán tiene un polo norte y un polo sur: los polos opuestos se atraen y los iguales se repelen."),
]

CHAT_DE = [
    ("Wie backe ich ein einfaches Brot zu Hause?",
     "Vermische 500 Gramm Mehl mit einem Päckchen Trockenhefe, einem Teelöffel Salz und etwa 300 Milliliter lauwarmem Wasser. Knete den Teig zehn Minuten lang, lass ihn eine Stunde gehen und backe ihn dann bei 220 Grad etwa vierzig Minuten."),
    ("Warum ist der Himmel nachts dunkel?",
     "Nachts steht die Sonne auf der anderen Seite der Erde, daher wird unsere Atmosphäre nicht beleuchtet. Die Sterne sind zwar sehr hell, aber so weit entfernt, dass ihr Licht den Himmel nicht erhellen kann."),
    ("Was sollte man in Berlin unbedingt gesehen haben?",
     "Das Brandenburger Tor, die Reste der Berliner Mauer an der East Side Gallery und die Museumsinsel gehören zu den Höhepunkten. Wer Zeit hat, sollte auch einen Spaziergang durch Kreuzberg oder den Tiergarten machen."),
    ("Ein Zug fährt mit 120 Kilometern pro Stunde. Wie weit kommt er in zweieinhalb Stunden?",
     "Man rechnet einfach 120 mal zweieinhalb. Der Zug legt in dieser Zeit also 300 Kilometer zurück."),
    ("Wann schreibt man „das“ und wann „dass“?",
     "„Das“ ist ein Artikel oder ein Pronomen und lässt sich durch „dieses“ oder „welches“ ersetzen. „Dass“ ist eine Konjunktion, die einen Nebensatz einleitet, zum Beispiel: „Ich hoffe, dass du kommst.“"),
    ("Wie kann ich besser mit Stress umgehen?",
     "Plane regelmäßige Pausen ein und bewege dich jeden Tag an der frischen Luft. Es hilft auch, Aufgaben aufzuschreiben und nach Wichtigkeit zu ordnen, statt alles gleichzeitig erledigen zu wollen."),
    ("Wer war Johann Sebastian Bach?",
     "Johann Sebastian Bach war ein deutscher Komponist und Organist des Barocks, der von 1685 bis 1750 lebte. Zu seinen bekanntesten Werken gehören die Matthäus-Passion, die Brandenburgischen Konzerte und das Wohltemperierte Klavier."),
    ("Warum fallen im Herbst die Blätter von den Bäumen?",
     "Im Herbst bekommen die Bäume weniger Licht und Wasser, deshalb werfen sie ihre Blätter ab, um Energie zu sparen. So verlieren sie im Winter auch weniger Wasser über die Blattoberfläche."),
]

# French question, English answer (or French then English turns): should be rejected as mixed.
CHAT_MIXED = [
    ("Quelle est la capitale de l'Australie ? Je pensais que c'était Sydney.",
     "The capital of Australia is Canberra, not Sydney as many people assume. The city was purpose-built as a compromise between Sydney and Melbourne."),
    ("Comment dit-on « bonne chance » en anglais ? J'en ai besoin pour une carte.",
     "In English you would simply write 'Good luck!'. For a card, you could also say 'Wishing you all the best' or 'Fingers crossed for you'."),
    ("Peux-tu m'expliquer comment se forme un arc électrique ?",
     "An electric arc forms when a strong voltage makes current jump through the air between two conductors. The air becomes ionised and turns into a glowing plasma that conducts electricity."),
    ("Quel est le meilleur moment pour planter des tomates dans le jardin ?",
     "Tomatoes should go into the ground after the last frost, usually in mid-May in most of France. Wait until the soil has warmed up, because cold nights slow their growth."),
    ("Pourquoi les avions laissent-ils des traînées blanches dans le ciel ?",
     "Those white trails are called contrails. Hot, humid exhaust from the engines meets the very cold air at high altitude, and the water vapour freezes into tiny ice crystals."),
    ("Combien de temps faut-il pour aller de Paris à Londres en train ?",
     "The Eurostar takes about two hours and twenty minutes between Paris Gare du Nord and London St Pancras. Remember to arrive early, as there are passport and security checks before boarding."),
    ("Pourriez-vous me donner un conseil pour mieux dormir en voyage ?",
     "Bring an eye mask and earplugs, and try to adjust to the local schedule as soon as you arrive. Getting some daylight in the morning helps your body clock reset faster."),
    ("À quelle température l'eau se met-elle à bouillir ?",
     "Au niveau de la mer, l'eau bout à cent degrés Celsius, quelle que soit la casserole utilisée.",
     "Et en haute montagne, est-ce que cela change quelque chose ?",
     "Yes, it does. At higher altitude the air pressure is lower, so water boils at a lower temperature, around ninety degrees at three thousand metres."),
]

# Empty / whitespace-only / null turns: rejected as empty_turn.
CHAT_EMPTY = [
    ("   ", "Je n'ai pas reçu de question : pourriez-vous reformuler votre demande, s'il vous plaît ?"),
    ("Peux-tu me donner une idée de cadeau pour la fête des mères ?", ""),
]
CHAT_NULL = [
    ("Quels fromages faut-il absolument goûter en Savoie ?", None),
]

# ============================================================================ aya_style.parquet

AYA_FR = [
    ("Quelle est la plus haute montagne d'Europe occidentale ?",
     "Le mont Blanc, à la frontière entre la France et l'Italie, culmine à environ 4 806 mètres. Son altitude varie légèrement d'une année à l'autre selon l'épaisseur de la calotte de glace."),
    ("Pourquoi les oiseaux migrent-ils ?",
     "Beaucoup d'oiseaux migrent pour fuir l'hiver, quand la nourriture devient rare dans leur région de nidification. Ils rejoignent des zones plus chaudes où insectes, graines et fruits restent abondants, puis reviennent au printemps pour se reproduire."),
    ("Donne-moi une recette rapide de soupe de légumes.",
     "Faites revenir un oignon émincé dans un peu d'huile, ajoutez deux carottes, une pomme de terre et un poireau coupés en morceaux. Couvrez d'eau, salez et laissez cuire vingt-cinq minutes avant de mixer le tout avec un peu de crème."),
    ("Qui a écrit « Le Petit Prince » ?",
     "« Le Petit Prince » a été écrit et illustré par Antoine de Saint-Exupéry. Publié en 1943 à New York, c'est l'un des livres les plus traduits au monde."),
    ("Un fermier possède 17 moutons. Tous sauf 9 s'enfuient. Combien lui en reste-t-il ?",
     "L'expression « tous sauf 9 » signifie que neuf moutons ne se sont pas enfuis. Il reste donc neuf moutons au fermier."),
    ("Quel est le féminin du mot « acteur » ?",
     "Le féminin d'« acteur » est « actrice ». D'autres noms en -teur suivent le même modèle, comme « directeur » qui devient « directrice »."),
    ("Que peut-on visiter à Bordeaux ?",
     "La place de la Bourse et son miroir d'eau sont incontournables, tout comme la Cité du Vin au bord de la Garonne. Le quartier Saint-Pierre et la rue Sainte-Catherine invitent à la flânerie, et les grands vignobles de Saint-Émilion sont à moins d'une heure."),
    ("Quels sont les bienfaits de la marche à pied ?",
     "Marcher régulièrement renforce le cœur, aide à contrôler le poids et entretient les articulations. C'est aussi un excellent moyen de réduire le stress et d'améliorer l'humeur, sans matériel particulier."),
    ("Pourquoi la tour Eiffel a-t-elle été construite ?",
     "La tour Eiffel a été construite pour l'Exposition universelle de 1889, qui célébrait le centenaire de la Révolution française. Elle devait être démontée au bout de vingt ans, mais son utilité pour les transmissions radio l'a sauvée."),
    ("Qu'est-ce que l'énergie solaire ?",
     "L'énergie solaire est l'énergie fournie par le rayonnement du Soleil. On la transforme en électricité grâce à des panneaux photovoltaïques, ou en chaleur avec des capteurs thermiques qui chauffent de l'eau."),
    ("Combien de côtés possède un hexagone ?",
     "Un hexagone possède six côtés et six angles. La France est d'ailleurs souvent surnommée l'Hexagone à cause de la forme de son territoire métropolitain."),
    ("Quelle est la différence entre un fruit et un légume ?",
     "En botanique, le fruit est la partie de la plante qui contient les graines et provient de la fleur, comme la tomate ou la courgette. En cuisine, on appelle plutôt légumes les végétaux que l'on mange salés et fruits ceux que l'on mange sucrés, ce qui crée des confusions."),
    ("Quel fleuve traverse la ville de Lyon ?",
     "Lyon est traversée par deux cours d'eau : le Rhône et la Saône. Ils se rejoignent au sud de la presqu'île, dans le quartier de la Confluence."),
    ("Comment faire des économies d'énergie à la maison ?",
     "Baissez le chauffage d'un ou deux degrés, surtout la nuit, et éteignez complètement les appareils plutôt que de les laisser en veille. Une bonne isolation des fenêtres et des ampoules basse consommation réduisent aussi sensiblement la facture."),
    ("Pourquoi les poissons peuvent-ils respirer sous l'eau ?",
     "Les poissons respirent grâce à leurs branchies, des organes très fins et riches en vaisseaux sanguins. L'eau qui passe dessus cède au sang l'oxygène qu'elle contient, tandis que le dioxyde de carbone est rejeté."),
    ("Quel est le pluriel du mot « œil » ?",
     "Le pluriel d'« œil » est « yeux ». On garde cependant « œils » dans certains mots composés, comme « des œils-de-bœuf », ces petites fenêtres rondes."),
    ("Quelle est l'histoire du croissant ?",
     "Le croissant descendrait du kipferl, une viennoiserie autrichienne en forme de lune. Il a été popularisé à Paris au XIXe siècle, puis la pâte feuilletée au beurre a progressivement remplacé la pâte briochée d'origine."),
    ("Résous ce problème : un livre coûte 12 euros et un stylo coûte trois fois moins. Combien coûtent deux livres et quatre stylos ?",
     "Le stylo coûte 12 ÷ 3 = 4 euros. Deux livres coûtent 24 euros et quatre stylos 16 euros, ce qui fait un total de 40 euros."),
    ("Qui était Louis Pasteur ?",
     "Louis Pasteur était un scientifique français du XIXe siècle, pionnier de la microbiologie. Il a mis au point le vaccin contre la rage et la pasteurisation, un procédé qui détruit les microbes par chauffage."),
    ("Pourquoi le pain rassit-il ?",
     "En refroidissant, l'amidon du pain se réorganise et expulse une partie de l'eau qu'il avait absorbée à la cuisson : c'est la rétrogradation. La mie devient alors sèche et ferme. Conserver le pain dans un sac en tissu ralentit ce phénomène."),
    ("Comment écrire un bon résumé ?",
     "Lisez d'abord le texte en entier et repérez son idée principale ainsi que les étapes de son raisonnement. Reformulez ensuite avec vos propres mots, sans ajouter d'avis personnel, en respectant l'ordre des idées et la longueur demandée."),
    ("Qu'est-ce qu'une éclipse solaire ?",
     "Une éclipse solaire se produit quand la Lune passe entre la Terre et le Soleil et masque tout ou partie de celui-ci. Il ne faut jamais l'observer à l'œil nu, mais avec des lunettes spéciales homologuées."),
    ("Quels sont les symptômes d'une déshydratation ?",
     "Les premiers signes sont la soif, une bouche sèche, de la fatigue et des urines foncées. En cas de déshydratation plus importante, on peut ressentir des vertiges et des maux de tête : il faut alors boire rapidement et, si besoin, consulter."),
    ("Quelle est la plus grande île de France métropolitaine ?",
     "La Corse est la plus grande île de France métropolitaine, avec une superficie d'environ 8 700 kilomètres carrés. On la surnomme l'île de Beauté pour ses montagnes et ses plages."),
    ("Un bassin contient 1 200 litres d'eau. On en retire 15 % pour arroser le jardin. Combien de litres reste-t-il ?",
     "Quinze pour cent de 1 200 litres représentent 180 litres. Il reste donc 1 200 − 180 = 1 020 litres dans le bassin."),
    ("Quelle est la différence entre « censé » et « sensé » ?",
     "« Censé » signifie « supposé » : « Il est censé arriver à midi ». « Sensé » veut dire « raisonnable, qui a du bon sens » : « C'est une décision très sensée »."),
    ("Que faut-il savoir avant de partir au Maroc ?",
     "Les ressortissants français peuvent entrer au Maroc avec un passeport valide pour un séjour touristique de moins de trois mois. Dans les souks, le marchandage fait partie de la tradition, et il est conseillé de s'habiller de façon assez couvrante hors des zones balnéaires."),
    ("Comment apprendre à méditer ?",
     "Asseyez-vous confortablement dans un endroit calme, fermez les yeux et portez votre attention sur votre respiration. Quand votre esprit s'égare, ramenez-le doucement vers le souffle, sans vous juger. Commencez par cinq minutes par jour et augmentez progressivement."),
    ("Qu'est-ce que le Code civil ?",
     "Le Code civil, promulgué en 1804 sous Napoléon Bonaparte, rassemble les règles qui régissent la vie des personnes : famille, propriété, contrats. Il a profondément influencé le droit de nombreux pays et reste en vigueur en France, après de nombreuses modifications."),
    ("Pourquoi la neige est-elle blanche ?",
     "Les flocons sont faits de minuscules cristaux de glace transparents. Leurs multiples facettes réfléchissent et diffusent toutes les couleurs de la lumière de la même façon, et ce mélange nous apparaît blanc."),
    ("Comment réussir un riz bien cuit ?",
     "Rincez le riz jusqu'à ce que l'eau soit claire pour retirer l'excès d'amidon. Pour un riz blanc, comptez environ une fois et demie son volume d'eau, portez à ébullition puis couvrez et laissez cuire à feu très doux une douzaine de minutes."),
    ("Quel est l'animal le plus rapide du monde ?",
     "Sur terre, c'est le guépard, qui peut dépasser cent kilomètres à l'heure sur de courtes distances. Dans les airs, le faucon pèlerin est encore plus rapide : en piqué, il dépasse les trois cents kilomètres à l'heure."),
    ("Si un cube a une arête de 4 cm, quel est son volume ?",
     "Le volume d'un cube est égal à la longueur de son arête élevée au cube. Ici, 4 × 4 × 4 = 64, donc le volume est de 64 centimètres cubes."),
    ("Donne un synonyme du mot « rapide ».",
     "On peut employer « prompt », « véloce », « hâtif » ou « expéditif » selon le contexte. On parlera par exemple d'une réponse prompte, mais d'un coureur véloce."),
    ("Que faut-il voir lors d'un séjour en Normandie ?",
     "Le Mont-Saint-Michel est bien sûr le site le plus célèbre, mais les falaises d'Étretat et les plages du Débarquement valent aussi le voyage. Les amateurs de peinture apprécieront Giverny, où vécut Claude Monet."),
    ("Comment garder une bonne posture au bureau ?",
     "Réglez votre chaise pour que vos pieds reposent à plat et que vos genoux forment un angle droit. Le haut de l'écran doit se trouver à hauteur des yeux, et il est utile de se lever quelques minutes toutes les heures."),
    ("Qui a peint « La Liberté guidant le peuple » ?",
     "Ce tableau a été peint par Eugène Delacroix en 1830, pour célébrer les Trois Glorieuses, la révolution de juillet. Il est exposé au musée du Louvre."),
    ("À quoi sert le foie ?",
     "Le foie remplit plus de cinq cents fonctions. Il filtre le sang, transforme les nutriments, stocke des vitamines et du sucre, fabrique la bile qui aide à digérer les graisses et neutralise de nombreuses substances toxiques."),
    ("Comment faire une pâte brisée ?",
     "Mélangez 250 g de farine avec une pincée de sel, puis ajoutez 125 g de beurre froid coupé en dés et sablez du bout des doigts. Incorporez un peu d'eau froide jusqu'à ce que la pâte forme une boule, sans trop la travailler, et laissez-la reposer trente minutes au frais."),
    ("Pourquoi le Moyen Âge s'appelle-t-il ainsi ?",
     "Le terme a été forgé par les humanistes de la Renaissance, qui voyaient cette période comme un âge intermédiaire entre l'Antiquité et leur propre époque. Il couvre environ mille ans, de la chute de Rome en 476 à la fin du XVe siècle."),
    ("Calcule la moyenne de ces notes : 12, 15, 9 et 14.",
     "La somme des notes est 12 + 15 + 9 + 14 = 50. En divisant par quatre, on obtient une moyenne de 12,5 sur 20."),
    ("Faut-il écrire « je vais » ou « je vai » ?",
     "La bonne orthographe est « je vais », avec un s final. Le verbe aller est irrégulier au présent : je vais, tu vas, il va, nous allons, vous allez, ils vont."),
    ("Comment visiter les îles grecques ?",
     "Les ferries relient le port du Pirée à la plupart des Cyclades, et il est facile de combiner deux ou trois îles en une semaine. Santorin et Mykonos sont très fréquentées en été, tandis que Naxos ou Milos offrent une ambiance plus paisible."),
    ("Comment se faire de nouveaux amis à l'âge adulte ?",
     "Inscrivez-vous à une activité régulière qui vous plaît, comme un club de sport, une chorale ou une association : se revoir chaque semaine facilite les liens. Osez aussi proposer un café aux personnes avec qui le courant passe, car beaucoup attendent que l'autre fasse le premier pas."),
    ("Qu'est-ce que la gravité ?",
     "La gravité est la force d'attraction qui s'exerce entre tous les corps possédant une masse. C'est elle qui nous maintient au sol, qui fait tomber les objets et qui garde la Lune en orbite autour de la Terre."),
    ("Quelles épices utiliser pour un couscous ?",
     "Le ras el-hanout est le mélange le plus courant : il contient souvent du cumin, de la coriandre, du gingembre, de la cannelle et du curcuma. On ajoute parfois un peu de harissa pour relever le bouillon."),
    ("Quand les femmes ont-elles obtenu le droit de vote en France ?",
     "Les Françaises ont obtenu le droit de vote par une ordonnance du 21 avril 1944. Elles ont voté pour la première fois lors des élections municipales d'avril 1945."),
    ("Une voiture consomme 6 litres aux 100 kilomètres. Combien de litres faut-il pour faire 350 kilomètres ?",
     "Pour 100 kilomètres il faut 6 litres, donc pour 350 kilomètres il en faut trois fois et demie plus. Cela donne 6 × 3,5 = 21 litres de carburant."),
    ("Quelle est la nature du mot « rapidement » ?",
     "« Rapidement » est un adverbe de manière. Il est formé à partir de l'adjectif « rapide », auquel on ajoute le suffixe « -ment »."),
    ("Où partir au soleil en février depuis la France ?",
     "Les îles Canaries offrent environ vingt degrés en plein hiver, à seulement quatre heures d'avion. Pour plus de chaleur, les Antilles sont en pleine saison sèche à cette période et affichent près de trente degrés."),
    ("Comment reconnaître un champignon comestible ?",
     "Il n'existe aucun critère simple et fiable : certaines espèces mortelles ressemblent beaucoup à des champignons comestibles. Ne consommez jamais une cueillette sans l'avoir fait vérifier par un pharmacien ou une association de mycologie."),
    ("Pourquoi les étoiles scintillent-elles ?",
     "Les étoiles scintillent parce que leur lumière traverse l'atmosphère terrestre, où des couches d'air de températures différentes la dévient sans cesse. Vu depuis l'espace, leur éclat serait parfaitement stable."),
    ("Comment préparer un bon café filtre ?",
     "Utilisez une mouture moyenne et environ six grammes de café pour dix centilitres d'eau. L'eau doit être juste frémissante, autour de quatre-vingt-quinze degrés, et non bouillante, pour ne pas donner d'amertume."),
    ("Qui était Toussaint Louverture ?",
     "Toussaint Louverture était un ancien esclave devenu le principal chef de la révolution haïtienne à la fin du XVIIIe siècle. Capturé par les troupes de Napoléon, il est mort en captivité dans le Jura en 1803, peu avant l'indépendance d'Haïti."),
    ("Un robinet fuit et perd 3 litres par heure. Combien d'eau perd-il en une semaine ?",
     "En une journée, il perd 3 × 24 = 72 litres. En une semaine, cela représente 72 × 7 = 504 litres d'eau gaspillée."),
    ("Accorde l'adjectif dans cette phrase : « Les robes (bleu) de ma sœur ».",
     "Il faut écrire « les robes bleues de ma sœur ». L'adjectif « bleu » s'accorde en genre et en nombre avec le nom « robes », qui est féminin pluriel."),
    ("Quelles sont les spécialités culinaires de Lyon ?",
     "Lyon est réputée pour ses bouchons, où l'on sert des quenelles de brochet, du saucisson chaud et de la salade lyonnaise. On y goûte aussi la cervelle de canut, un fromage blanc aux herbes, et la tarte aux pralines roses."),
    ("Comment rédiger un courriel professionnel ?",
     "Choisissez un objet clair, commencez par une formule de politesse adaptée et exposez votre demande dès les premières lignes. Restez concis, relisez-vous pour éviter les fautes et terminez par une formule de clôture suivie de votre signature."),
    ("Qu'est-ce qu'une cellule en biologie ?",
     "La cellule est la plus petite unité vivante capable de fonctionner de façon autonome. Certains organismes, comme les bactéries, ne comptent qu'une seule cellule, alors que le corps humain en contient plusieurs dizaines de milliers de milliards."),
    ("Quelle est l'origine du mot « sandwich » ?",
     "Le mot viendrait de John Montagu, quatrième comte de Sandwich, un aristocrate anglais du XVIIIe siècle. Selon la légende, il demandait qu'on lui serve de la viande entre deux tranches de pain pour ne pas quitter sa table de jeu."),
    ("Quelle est la date de la prise de la Bastille ?",
     "La prise de la Bastille a eu lieu le 14 juillet 1789, lorsque les Parisiens se sont emparés de cette forteresse qui servait de prison. Cet événement est devenu le symbole de la Révolution, et le 14 juillet est aujourd'hui la fête nationale."),
    ("Combien de secondes y a-t-il en tout dans trois heures ?",
     "Une heure compte 3 600 secondes. Trois heures en contiennent donc 3 × 3 600, c'est-à-dire 10 800 secondes."),
    ("Trouve l'erreur dans la phrase : « Les enfants ont jouer dans le jardin ».",
     "L'erreur porte sur le verbe : après l'auxiliaire avoir, il faut un participe passé et non un infinitif. La phrase correcte est « Les enfants ont joué dans le jardin »."),
    ("Quels conseils pour un premier voyage en camping-car ?",
     "Commencez par un itinéraire court et prévoyez des étapes de moins de trois heures de route par jour. Renseignez-vous sur les aires de services pour vider les eaux usées et refaire le plein d'eau, et n'oubliez pas que le véhicule est haut et large dans les petites rues."),
    ("Comment aider une personne âgée à utiliser un téléphone portable ?",
     "Procédez étape par étape, en laissant la personne manipuler l'appareil elle-même plutôt que de le faire à sa place. Agrandissez la taille des caractères, gardez seulement les applications utiles sur l'écran d'accueil et notez les manipulations principales sur une fiche."),
    ("Qu'est-ce que la biodiversité ?",
     "La biodiversité désigne la variété du vivant sous toutes ses formes : les espèces animales et végétales, les micro-organismes, mais aussi les écosystèmes et la diversité génétique au sein d'une même espèce. Elle est aujourd'hui menacée par la destruction des habitats, la pollution et le changement climatique."),
    ("Comment faire une omelette baveuse ?",
     "Battez les œufs avec une pincée de sel sans trop les faire mousser. Versez-les dans une poêle chaude avec une noisette de beurre, ramenez les bords vers le centre avec une spatule, et pliez l'omelette quand le dessus est encore crémeux."),
    ("Quel roi a été surnommé le Roi-Soleil ?",
     "C'est Louis XIV, qui a régné de 1643 à 1715, soit plus de soixante-douze ans. Il avait choisi le soleil comme emblème pour symboliser un pouvoir qui éclaire et ordonne le royaume."),
    ("Julie a deux fois l'âge de son frère. Dans dix ans, la somme de leurs âges sera 50. Quel âge ont-ils ?",
     "Si le frère a x ans, Julie en a 2x. Dans dix ans, on aura (x + 10) + (2x + 10) = 50, donc 3x = 30 et x = 10. Le frère a 10 ans et Julie en a 20."),
    ("Quand utilise-t-on le point-virgule ?",
     "Le point-virgule sépare deux propositions indépendantes étroitement liées par le sens, quand un point serait trop fort : « Il pleuvait ; nous sommes restés à la maison ». Il sert aussi à séparer les éléments d'une énumération longue ou complexe."),
    ("Que faire à Bruxelles en une journée ?",
     "Commencez par la Grand-Place, l'une des plus belles places d'Europe, puis allez saluer le Manneken-Pis tout proche. L'après-midi, visitez les musées royaux des Beaux-Arts ou l'Atomium, et goûtez une gaufre et des frites dans la soirée."),
    ("Comment réagir face à une critique au travail ?",
     "Écoutez jusqu'au bout sans vous justifier immédiatement, puis demandez des exemples précis si la remarque vous paraît floue. Prenez le temps d'y réfléchir : même maladroite, une critique contient souvent une part utile pour progresser."),
]

AYA_EN = [
    ("What is the tallest mountain in the world?",
     "Mount Everest, on the border between Nepal and China, is the highest mountain above sea level at about 8,849 metres. Measured from base to peak, however, Mauna Kea in Hawaii is taller."),
    ("How long should I boil pasta?",
     "Most dried pasta needs between eight and twelve minutes in salted boiling water. Check the packet and taste a piece a minute before the end, since it should still be slightly firm."),
    ("Who painted the Mona Lisa?",
     "The Mona Lisa was painted by Leonardo da Vinci in the early sixteenth century. It now hangs in the Louvre in Paris, behind protective glass."),
    ("Explain what inflation means in simple terms.",
     "Inflation is the general rise in prices over time, which means the same amount of money buys a little less each year. A moderate rate is considered normal, but very high inflation can hurt savings and wages."),
    ("What is the plural of the word 'mouse'?",
     "The plural of 'mouse' is 'mice' when you mean the animal. For computer mice, both 'mice' and 'mouses' are used, although 'mice' is more common."),
    ("A baker makes 48 rolls and packs them in bags of 6. How many bags does he need?",
     "He divides 48 by 6, which gives 8. The baker therefore needs eight bags for all of his rolls."),
    ("What are some tips for a first trip to New York?",
     "Use contactless payment on the subway, which is the fastest way to get around. Walk across the Brooklyn Bridge early in the morning and book popular observation decks in advance."),
    ("How can I be more productive when working from home?",
     "Keep a dedicated workspace, even a small one, and start at the same time every day. Getting dressed as if you were going out and taking a real lunch break also help separate work from home life."),
    ("Why do cats usually land on their feet?",
     "Cats have a very flexible spine and an excellent sense of balance, which let them twist their body in mid-air. This righting reflex usually allows them to turn around and land on their paws."),
    ("What caused the Great Fire of London?",
     "The fire started in a bakery on Pudding Lane in September 1666. Strong winds and closely packed wooden houses helped it spread for four days, destroying much of the medieval city."),
]

AYA_ES = [
    ("¿Cuál es el río más largo de América del Sur?",
     "El río más largo de América del Sur es el Amazonas, que recorre Perú, Colombia y Brasil. Además, es el río con mayor caudal del mundo."),
    ("¿Cómo se hace un gazpacho?",
     "Tritura tomates maduros, pepino, pimiento verde, un diente de ajo, pan del día anterior, aceite de oliva, vinagre y sal. Cuélalo si quieres una textura más fina y sírvelo muy frío."),
    ("¿Qué es la fotosíntesis?",
     "La fotosíntesis es el proceso por el cual las plantas usan la luz del sol para transformar el agua y el dióxido de carbono en azúcares. Como resultado, liberan oxígeno a la atmósfera."),
    ("¿Cuántos minutos hay en un día?",
     "Un día tiene veinticuatro horas y cada hora tiene sesenta minutos. Por lo tanto, un día tiene mil cuatrocientos cuarenta minutos."),
    ("¿Cómo puedo aprender a nadar si ya soy adulto?",
     "Empieza en una piscina poco profunda y con un monitor que te dé confianza. Practica primero la respiración y la flotación antes de preocuparte por la técnica de brazos y piernas."),
]

AYA_DE = [
    ("Was ist die Hauptstadt von Österreich?",
     "Die Hauptstadt von Österreich ist Wien. Die Stadt ist bekannt für ihre Kaffeehäuser, ihre klassische Musik und die prachtvollen Bauten der Habsburger."),
    ("Wie koche ich Kartoffeln richtig?",
     "Gib die Kartoffeln in einen Topf mit kaltem Salzwasser und bring es zum Kochen. Je nach Größe sind sie nach zwanzig bis fünfundzwanzig Minuten gar, was du mit einer Gabel prüfen kannst."),
    ("Warum gibt es Ebbe und Flut?",
     "Ebbe und Flut entstehen vor allem durch die Anziehungskraft des Mondes, die das Wasser der Ozeane leicht zu sich zieht. Auch die Sonne hat einen Einfluss, der bei Voll- und Neumond besonders starke Gezeiten verursacht."),
    ("Wie viel sind zwanzig Prozent von achtzig Euro?",
     "Zwanzig Prozent entsprechen genau einem Fünftel. Ein Fünftel von achtzig Euro sind also sechzehn Euro."),
    ("Wie lerne ich am besten Vokabeln?",
     "Wiederhole neue Wörter in wachsenden Abständen, zum Beispiel mit Karteikarten. Es hilft auch, jedes Wort in einem ganzen Satz zu lernen und es möglichst bald selbst zu benutzen."),
]

AYA_MIXED = [
    ("Quelle est la langue officielle du Brésil ?",
     "The official language of Brazil is Portuguese, a legacy of colonisation by Portugal. It is the largest Portuguese-speaking country in the world."),
    ("Explique-moi pourquoi la mer monte et descend deux fois par jour.",
     "The tides are caused mainly by the Moon's gravity pulling on the oceans. As the Earth rotates, most coastlines pass through two bulges of water each day, giving two high tides."),
    ("Donne-moi une idée de dessert facile pour ce soir.",
     "A quick chocolate mousse only needs dark chocolate and eggs. Melt the chocolate, mix in the yolks, fold in the beaten whites and chill it for a few hours."),
    ("Combien d'habitants compte la ville de Paris ?",
     "Paris itself has a little over two million inhabitants. The wider metropolitan area, however, is home to more than twelve million people."),
    ("Comment traduire l'expression « avoir le cafard » ?",
     "It means to feel down or to have the blues. You could say that someone is feeling low or a bit depressed, usually for a short time."),
    ("Quels sont les avantages du vélo pour aller au travail ?",
     "Cycling to work is good for your heart and your mood, and it costs far less than a car. In busy cities it is often the quickest way to get around during rush hour."),
]

AYA_EMPTY = [("Quelle est la capitale de la Belgique et combien d'habitants compte-t-elle ?", "  \n ")]
AYA_NULL = [("Peux-tu me conseiller un bon livre pour les vacances ?", None)]

# ============================================================================ alpaca_style.csv
# (instruction, input, output); input is often empty.

ALPACA_FR = [
    ("Corrige les fautes d'orthographe dans la phrase suivante.",
     "Les enfant sont aller a l'école ce matin malgrés la pluie.",
     "Voici la phrase corrigée : « Les enfants sont allés à l'école ce matin malgré la pluie. » Il fallait accorder « enfants » et « allés » au pluriel, ajouter l'accent sur « à » et retirer le s de « malgré »."),
    ("Donne trois idées d'activités à faire en famille un dimanche pluvieux.", "",
     "Vous pouvez organiser un après-midi de jeux de société avec un goûter fait maison. Une autre idée est de construire une cabane avec des couvertures dans le salon. Enfin, une visite au musée ou à l'aquarium permet de sortir tout en restant au sec."),
    ("Résume le texte suivant en une phrase.",
     "La ville a décidé de fermer la rue principale aux voitures chaque dimanche pendant l'été. Les commerçants craignaient une baisse de fréquentation, mais les premiers week-ends ont au contraire attiré de nombreux promeneurs et familles. La mairie envisage désormais d'étendre l'expérience à d'autres quartiers.",
     "La fermeture dominicale de la rue principale aux voitures, d'abord redoutée par les commerçants, a attiré beaucoup de promeneurs, si bien que la mairie songe à l'étendre."),
    ("Réécris cette phrase au passé composé.",
     "Nous prenons le bus et nous arrivons en retard.",
     "Au passé composé, la phrase devient : « Nous avons pris le bus et nous sommes arrivés en retard. » Le verbe « arriver » se conjugue avec l'auxiliaire être."),
    ("Explique simplement ce qu'est un nombre premier.", "",
     "Un nombre premier est un nombre entier supérieur à 1 qui n'est divisible que par 1 et par lui-même. Par exemple, 2, 3, 5, 7 et 11 sont premiers, alors que 9 ne l'est pas puisqu'il se divise par 3."),
    ("Propose un menu équilibré pour un déjeuner d'été.", "",
     "En entrée, une salade de tomates et de concombre à l'huile d'olive apporte de la fraîcheur. En plat, un filet de poisson grillé accompagné de quinoa et de courgettes sautées. Pour finir, une salade de fruits de saison ou un yaourt nature avec du miel."),
    ("Classe ces animaux selon qu'ils sont mammifères ou non.",
     "dauphin, requin, chauve-souris, pingouin, baleine",
     "Le dauphin, la chauve-souris et la baleine sont des mammifères : ils allaitent leurs petits. Le requin est un poisson et le pingouin un oiseau, ils ne font donc pas partie des mammifères."),
    ("Écris une courte description d'un marché provençal.", "",
     "Sous les platanes, les étals débordent de tomates, de melons et de bouquets de lavande. Les marchands interpellent les passants en vantant leurs olives et leurs fromages de chèvre, tandis que l'odeur des poulets rôtis se mêle à celle des herbes sèches. On y flâne sans se presser, un panier au bras."),
    ("Calcule le prix total de ces courses.",
     "Deux baguettes à 1,10 euro, un pot de confiture à 3,50 euros et six œufs à 0,35 euro pièce.",
     "Les baguettes coûtent 2,20 euros, la confiture 3,50 euros et les œufs 6 × 0,35 = 2,10 euros. Le prix total s'élève donc à 7,80 euros."),
    ("Donne la définition du mot « éphémère ».", "",
     "Est éphémère ce qui ne dure que très peu de temps. Le mot vient du grec et désignait à l'origine ce qui ne vit qu'un jour, comme certains insectes qu'on appelle d'ailleurs des éphémères."),
    ("Quels conseils donnerais-tu à quelqu'un qui part vivre à l'étranger ?", "",
     "Apprenez quelques bases de la langue avant le départ, même si vous comptez travailler dans une autre langue. Renseignez-vous sur les démarches administratives, comme la sécurité sociale et le logement. Enfin, acceptez qu'il y ait des moments de solitude au début : ils passent souvent plus vite qu'on ne le pense."),
    ("Explique pourquoi on a soif quand il fait chaud.", "",
     "Quand il fait chaud, le corps transpire pour se refroidir et perd ainsi de l'eau et des sels minéraux. Le cerveau détecte cette baisse et déclenche la sensation de soif pour nous pousser à boire."),
    ("Transforme cette phrase à la forme négative.",
     "Elle a toujours aimé le théâtre.",
     "À la forme négative, on écrit : « Elle n'a jamais aimé le théâtre. » L'adverbe « toujours » devient « jamais » et la négation encadre l'auxiliaire."),
    ("Rédige un message pour remercier un collègue de son aide.", "",
     "Bonjour Thomas, je tenais à te remercier pour ton aide précieuse sur le dossier de la semaine dernière. Grâce à tes conseils, nous avons pu rendre le projet dans les délais. N'hésite pas à me solliciter si je peux te rendre la pareille."),
    ("Quels sont le temps et le mode du verbe « viennes » dans la phrase suivante ?",
     "Il faudrait que tu viennes demain.",
     "Le verbe « viennes » est conjugué au subjonctif présent. Il est introduit par « il faudrait que », une tournure qui exprime la nécessité."),
    ("Quels sont les avantages du covoiturage ?", "",
     "Le covoiturage permet de partager les frais d'essence et de péage, ce qui réduit nettement le coût d'un trajet. Il diminue aussi le nombre de voitures sur la route, donc la pollution et les embouteillages. C'est enfin une occasion agréable de faire des rencontres."),
    ("Résous le problème suivant.",
     "Un jardin carré a un périmètre de 36 mètres. Quelle est son aire ?",
     "Un carré a quatre côtés égaux, donc chaque côté mesure 36 ÷ 4 = 9 mètres. L'aire du jardin vaut 9 × 9 = 81 mètres carrés."),
    ("Cite trois œuvres majeures de Molière.", "",
     "Parmi les pièces les plus célèbres de Molière figurent « Le Misanthrope », « Le Tartuffe » et « L'Avare ». On pourrait ajouter « Le Malade imaginaire », qu'il jouait lui-même lorsqu'il fut pris d'un malaise en 1673."),
    ("Explique comment fonctionne un thermomètre à alcool.", "",
     "Un thermomètre à alcool contient un liquide coloré dans un tube de verre très fin. Quand la température augmente, le liquide se dilate et monte dans le tube ; quand elle baisse, il se contracte et redescend. Une graduation permet de lire la température."),
    ("Propose une idée de pique-nique original.", "",
     "Préparez des galettes roulées garnies de houmous, de crudités et de poulet, faciles à manger sans couverts. Ajoutez une salade de pâtes au pesto dans des bocaux individuels et, pour le dessert, des brochettes de fruits. Une bouteille de thé glacé maison complétera parfaitement le panier."),
    ("Réécris ce message dans un style plus formel.",
     "Salut, je voulais te dire que la réunion de demain est annulée, on la refait la semaine prochaine, je te tiens au courant.",
     "Bonjour, je vous informe que la réunion prévue demain est annulée. Elle sera reportée à la semaine prochaine et je ne manquerai pas de vous communiquer la nouvelle date."),
    ("Pourquoi faut-il se laver les mains régulièrement ?", "",
     "Nos mains touchent sans cesse des surfaces sur lesquelles vivent des microbes, puis notre visage, notre bouche ou notre nourriture. Un lavage au savon d'au moins trente secondes élimine la plupart de ces germes et limite la transmission de nombreuses maladies, comme la grippe ou la gastro-entérite."),
    ("Trouve l'intrus dans cette liste et justifie ta réponse.",
     "pomme, poire, carotte, cerise, abricot",
     "L'intrus est la carotte, car c'est un légume racine alors que tous les autres sont des fruits qui poussent sur des arbres."),
    ("Calcule l'âge de Léa.",
     "Léa est née en 1987 et nous sommes en 2024. Son anniversaire est déjà passé cette année.",
     "Il suffit de soustraire l'année de naissance à l'année en cours : 2024 − 1987 = 37. Puisque son anniversaire est passé, Léa a 37 ans."),
    ("Écris une phrase en utilisant le mot « pourtant ».", "",
     "Il avait révisé toute la nuit ; pourtant, il n'a pas réussi à répondre à la dernière question de l'examen. Le mot « pourtant » marque ici une opposition entre l'effort fourni et le résultat obtenu."),
    ("Explique ce qu'était la route de la soie.", "",
     "La route de la soie désigne un réseau de routes commerciales qui reliait la Chine à la Méditerranée, à travers l'Asie centrale, pendant plus de mille ans. Outre la soie, on y échangeait des épices, des pierres précieuses, mais aussi des idées, des religions et des techniques."),
    ("Donne des conseils pour réussir un barbecue.", "",
     "Allumez les braises au moins une demi-heure avant la cuisson et attendez qu'elles soient recouvertes d'une fine couche de cendre blanche. Sortez la viande du réfrigérateur à l'avance, et salez-la plutôt en fin de cuisson. Gardez toujours une zone de la grille moins chaude pour les aliments qui brûlent vite."),
    ("Identifie le sujet du verbe dans la phrase suivante.",
     "Dans le jardin fleurissent de magnifiques roses.",
     "Le sujet du verbe « fleurissent » est « de magnifiques roses ». Il est placé après le verbe : on parle de sujet inversé, ce qui arrive souvent quand la phrase commence par un complément de lieu."),
    ("Suggère une destination pour un voyage de noces en Europe.", "",
     "La côte amalfitaine, en Italie, est une destination très romantique : villages colorés accrochés aux falaises, mer turquoise et excellente cuisine. Pour plus de calme, les îles de Croatie, comme Hvar ou Vis, offrent de superbes criques et de beaux couchers de soleil."),
    ("Comment expliquer la division à un enfant de huit ans ?", "",
     "Partez d'une situation concrète : on a douze bonbons à partager équitablement entre trois amis. Faites-lui distribuer les bonbons un par un jusqu'à épuisement, puis comptez ce que chacun a reçu. Il comprendra que diviser, c'est partager en parts égales."),
    ("Convertis cette durée en heures et en minutes.",
     "200 minutes",
     "Deux cents minutes correspondent à trois heures, soit 180 minutes, plus 20 minutes. La durée est donc de trois heures et vingt minutes."),
    ("Écris un court poème sur la pluie.", "",
     "La pluie tambourine doucement sur les toits, elle lave les trottoirs et réveille les bois. Les passants pressés ouvrent leurs parapluies, tandis que les jardins, reconnaissants, sourient."),
    ("Explique le rôle des abeilles dans la nature.", "",
     "En butinant les fleurs pour récolter le nectar, les abeilles transportent le pollen d'une plante à l'autre et permettent ainsi leur reproduction. Une grande partie des fruits et légumes que nous mangeons dépend de cette pollinisation."),
    ("Remplace les mots répétés par des pronoms.",
     "Marc a acheté un vélo. Marc a offert le vélo à sa fille.",
     "On peut écrire : « Marc a acheté un vélo. Il l'a offert à sa fille. » Le pronom « il » remplace Marc et « l' » remplace le vélo."),
    ("Quelles sont les étapes pour planter un arbre fruitier ?", "",
     "Creusez un trou deux fois plus large que la motte et ameublissez le fond. Placez l'arbre avec un tuteur, rebouchez avec de la terre mélangée à du compost, puis tassez légèrement. Arrosez abondamment, même s'il pleut, et plantez de préférence entre novembre et mars."),
    ("Résume les causes de la Première Guerre mondiale.", "",
     "La Première Guerre mondiale est née des rivalités entre grandes puissances européennes, de la course aux armements et d'un système d'alliances rigide. L'assassinat de l'archiduc François-Ferdinand à Sarajevo, en juin 1914, a déclenché une réaction en chaîne qui a entraîné tout le continent dans le conflit."),
    ("Calcule la vitesse moyenne de la coureuse.",
     "Une coureuse parcourt 10 kilomètres en 50 minutes.",
     "Cinquante minutes représentent cinq sixièmes d'heure. Sa vitesse moyenne est donc de 10 divisé par cinq sixièmes, soit 12 kilomètres par heure."),
    ("Donne le contraire de chacun de ces adjectifs.",
     "grand, lourd, facile, ancien",
     "Les contraires sont : petit pour grand, léger pour lourd, difficile pour facile, et moderne ou nouveau pour ancien."),
    ("Propose une activité pour découvrir Paris avec des enfants.", "",
     "La Cité des sciences et de l'industrie, à la Villette, propose des expositions interactives adaptées à tous les âges. Le Jardin d'acclimatation et la ménagerie du Jardin des Plantes sont aussi très appréciés des plus jeunes. Une promenade en bateau sur la Seine permet enfin de voir les monuments sans se fatiguer."),
    ("Comment demander poliment un délai pour rendre un travail ?", "",
     "Prévenez le plus tôt possible, sans attendre la veille de l'échéance. Expliquez brièvement la raison du retard, proposez une nouvelle date réaliste et précisez où vous en êtes, pour montrer que le travail avance."),
    ("Explique pourquoi la glace flotte sur l'eau.", "",
     "En gelant, les molécules d'eau s'organisent en un réseau cristallin qui occupe plus de place que l'eau liquide. La glace est donc moins dense que l'eau, ce qui lui permet de flotter. C'est pour cela que les lacs gèlent en surface et que les poissons survivent en dessous."),
    ("Donne une recette simple de compote de pommes.", "",
     "Épluchez quatre pommes, retirez le cœur et coupez-les en morceaux. Faites-les cuire à feu doux dans une casserole avec un fond d'eau et une pincée de cannelle pendant une vingtaine de minutes, puis écrasez-les à la fourchette. Le sucre est facultatif si les fruits sont bien mûrs."),
    ("Qui était Olympe de Gouges ?", "",
     "Olympe de Gouges était une femme de lettres et militante du XVIIIe siècle. En 1791, elle a rédigé la Déclaration des droits de la femme et de la citoyenne pour réclamer l'égalité entre les sexes. Elle a été guillotinée en 1793 pour ses écrits politiques."),
    ("Résous l'équation suivante et explique ta démarche.",
     "3x + 7 = 22",
     "On soustrait d'abord 7 des deux côtés, ce qui donne 3x = 15. On divise ensuite par 3 et on obtient x = 5. On peut vérifier que trois fois cinq plus sept font bien vingt-deux."),
    ("Mets les verbes entre parenthèses à l'imparfait.",
     "Quand nous (être) petits, nous (aller) chez nos grands-parents chaque été.",
     "La phrase devient : « Quand nous étions petits, nous allions chez nos grands-parents chaque été. » L'imparfait exprime ici une habitude passée."),
    ("Donne trois conseils pour voyager léger.", "",
     "Choisissez des vêtements qui se combinent facilement entre eux, dans deux ou trois couleurs. Limitez-vous à une seule paire de chaussures en plus de celles que vous portez. Enfin, préférez les produits de toilette solides, plus compacts et sans restriction en cabine."),
    ("Explique l'intérêt de tenir un journal intime.", "",
     "Écrire régulièrement ses pensées aide à prendre du recul sur ses émotions et à mieux comprendre ce qui nous affecte. Le journal garde aussi la trace de nos progrès et de nos souvenirs. Quelques lignes chaque soir suffisent pour en ressentir les bienfaits."),
    ("Pourquoi le sang est-il rouge ?", "",
     "Le sang doit sa couleur à l'hémoglobine, une protéine contenue dans les globules rouges. Elle renferme du fer, qui se lie à l'oxygène et donne au sang sa teinte rouge, plus vive dans les artères que dans les veines."),
    ("Suggère un plat réconfortant pour l'hiver.", "",
     "Un pot-au-feu est idéal quand il fait froid : la viande de bœuf mijote longuement avec des carottes, des poireaux, des navets et des pommes de terre. On sert le bouillon en entrée, puis la viande et les légumes avec de la moutarde et des cornichons."),
    ("Explique ce qu'était la démocratie athénienne.", "",
     "Au Ve siècle avant notre ère, Athènes a mis en place un régime où les citoyens décidaient eux-mêmes des lois en se réunissant à l'assemblée. Seuls les hommes libres nés de parents athéniens étaient citoyens, ce qui excluait les femmes, les esclaves et les étrangers."),
    ("Détermine le nombre de carreaux nécessaires pour carreler la pièce.",
     "Une pièce mesure 4 mètres sur 3 mètres et chaque carreau couvre 0,25 mètre carré.",
     "La surface de la pièce est de 4 × 3 = 12 mètres carrés. Il faut donc 12 ÷ 0,25 = 48 carreaux, sans compter une petite marge pour les coupes."),
    ("Explique la fonction du groupe « à ma grand-mère » dans la phrase suivante.",
     "J'ai envoyé une carte postale à ma grand-mère.",
     "Le groupe « à ma grand-mère » est un complément d'objet second, ou complément d'attribution. Il indique à qui la carte est envoyée, tandis que « une carte postale » est le complément d'objet direct."),
    ("Quelle est la meilleure saison pour visiter la Provence ?", "",
     "Le mois de juin et le début de juillet permettent d'admirer les champs de lavande en fleur, mais il fait déjà très chaud. Septembre est aussi une excellente période : la lumière est douce, la mer encore tiède et les sites touristiques moins encombrés."),
    ("Aide-moi à formuler des excuses après avoir oublié un anniversaire.", "",
     "Tu peux écrire : « Je suis vraiment désolé d'avoir oublié ton anniversaire, je n'ai aucune excuse valable. J'aimerais me rattraper en t'invitant à dîner cette semaine, si tu es libre. » L'important est d'être sincère et de proposer un geste concret."),
    ("Explique la différence entre un virus et une bactérie.", "",
     "Une bactérie est un organisme vivant composé d'une seule cellule, capable de se reproduire seule ; beaucoup sont d'ailleurs utiles. Un virus est bien plus petit et ne peut se multiplier qu'en infectant une cellule. Les antibiotiques agissent contre les bactéries, mais sont inefficaces contre les virus."),
    ("Propose une variante sucrée de la pizza, à servir en dessert.", "",
     "Étalez une pâte à pizza fine, badigeonnez-la de pâte à tartiner aux noisettes et faites-la cuire une dizaine de minutes. À la sortie du four, ajoutez des rondelles de banane, des fraises et quelques amandes effilées grillées."),
    ("Raconte brièvement la légende du roi Arthur.", "",
     "Selon la légende, le jeune Arthur devint roi de Bretagne en retirant l'épée Excalibur d'un rocher. Entouré des chevaliers de la Table ronde et conseillé par l'enchanteur Merlin, il lança la quête du Graal. Son règne prit fin lors d'une bataille contre son neveu Mordred."),
    ("Combien de tours de piste Hugo doit-il faire ?",
     "Une piste d'athlétisme mesure 400 mètres et Hugo veut courir 5 kilomètres.",
     "Cinq kilomètres représentent 5 000 mètres. Hugo devra donc faire 5 000 ÷ 400 = 12,5 tours de piste, soit douze tours et demi."),
    ("Explique quand on écrit « tout » et quand on écrit « tous ».", "",
     "« Tout » s'emploie au masculin singulier, comme dans « tout le gâteau », tandis que « tous » s'utilise au masculin pluriel : « tous les enfants ». Devant un adjectif, « tout » est un adverbe et reste le plus souvent invariable : « ils sont tout contents »."),
    ("Donne des idées pour occuper une longue escale dans un aéroport.", "",
     "Renseignez-vous sur les salons accessibles à la journée, qui offrent douches et fauteuils confortables. Certains aéroports proposent des visites guidées de la ville pendant les longues correspondances. Sinon, emportez un bon livre, des écouteurs et une batterie externe."),
    ("Comment encourager un ami qui doute de lui ?", "",
     "Rappelez-lui des situations concrètes où il a réussi, plutôt que de simples compliments généraux. Écoutez ses craintes sans les balayer d'un revers de main, puis aidez-le à fixer une petite étape atteignable. Votre confiance peut l'aider à retrouver la sienne."),
    ("Pourquoi les océans sont-ils importants pour le climat ?", "",
     "Les océans absorbent une grande partie de la chaleur et du dioxyde de carbone produits par les activités humaines. Leurs courants redistribuent cette chaleur autour du globe et influencent fortement les climats régionaux, comme celui, plutôt doux, de l'Europe de l'Ouest."),
    ("Adapte cette recette pour huit personnes.",
     "Pour quatre personnes : 200 g de riz, 1 oignon, 50 cl de bouillon.",
     "Pour huit personnes, il suffit de doubler toutes les quantités : 400 grammes de riz, deux oignons et un litre de bouillon. Le temps de cuisson reste à peu près le même."),
    ("Qu'a-t-on appelé les Trente Glorieuses ?", "",
     "Cette expression, due à l'économiste Jean Fourastié, désigne la période de forte croissance qu'ont connue la France et de nombreux pays développés de 1945 à 1975. Le niveau de vie a fortement augmenté, avec le développement de la consommation de masse et le plein emploi."),
    ("Réécris la phrase en remplaçant le mot « chose » par un terme plus précis.",
     "Il a fait une chose extraordinaire pendant le match.",
     "On peut écrire : « Il a réalisé un exploit extraordinaire pendant le match. » Le mot « exploit » est plus précis et plus expressif que « chose »."),
    ("Que mettre dans une trousse de premiers secours ?", "",
     "Une trousse de base contient des pansements de différentes tailles, des compresses stériles, un antiseptique, du sparadrap et une bande. Ajoutez une paire de ciseaux, une pince à épiler, un thermomètre et des gants jetables. Vérifiez régulièrement les dates de péremption."),
    ("Explique ce qu'est un fuseau horaire.", "",
     "La Terre est découpée en vingt-quatre fuseaux horaires, qui correspondent chacun à peu près à une heure de décalage. Ils permettent que midi corresponde partout au moment où le soleil est au plus haut. Ainsi, quand il est midi à Paris, il n'est que six heures du matin à New York."),
]

ALPACA_EN = [
    ("Summarise the main idea of the following text in one sentence.",
     "Many cities are planting trees along their streets to cope with hotter summers. The shade lowers the temperature of pavements and buildings, and the leaves release moisture that cools the air.",
     "Cities are planting street trees because their shade and moisture help keep neighbourhoods cooler during hot summers."),
    ("Give three tips for saving money on groceries.", "",
     "Plan your meals for the week and shop with a list so you avoid impulse purchases. Compare the price per kilo rather than the price per packet. Finally, cook larger batches and freeze leftovers for busy evenings."),
    ("Correct the grammar in this sentence.",
     "She don't like going to the cinema on her own.",
     "The correct sentence is 'She doesn't like going to the cinema on her own.' With a third-person singular subject, the auxiliary must be 'does'."),
    ("Explain what a food chain is.", "",
     "A food chain shows how energy passes from one living thing to another when one eats the other. It usually starts with a plant, continues with a herbivore that eats it, and ends with predators higher up the chain."),
    ("Calculate the area of a circle with a radius of 3 metres.", "",
     "The area of a circle is pi times the radius squared. Here that gives about 3.14 times 9, or roughly 28.3 square metres."),
    ("Write a short invitation to a birthday party.", "",
     "You are warmly invited to celebrate Emma's thirtieth birthday on Saturday evening at seven. There will be food, music and plenty of cake, so come hungry and ready to dance."),
    ("Describe the water cycle briefly.", "",
     "Water evaporates from oceans and lakes, rises as vapour and cools to form clouds. It then falls back as rain or snow, flows into rivers or soaks into the ground, and eventually returns to the sea."),
    ("Suggest a weekend itinerary for Edinburgh.", "",
     "Spend Saturday exploring the castle and walking down the Royal Mile to Holyrood Palace. On Sunday, climb Arthur's Seat in the morning for sweeping views, then relax in the cafés of Stockbridge."),
    ("How should I prepare for a job interview over video?", "",
     "Test your camera, microphone and internet connection the day before. Choose a quiet spot with a neutral background and good light on your face, and keep a copy of your CV nearby."),
    ("Name the planets of the solar system in order from the Sun.", "",
     "Starting from the Sun, the planets are Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus and Neptune. Pluto was reclassified as a dwarf planet in 2006."),
]

ALPACA_ES = [
    ("Explica qué es un volcán.", "",
     "Un volcán es una abertura en la corteza terrestre por la que salen lava, cenizas y gases del interior de la Tierra. Con el tiempo, los materiales expulsados se acumulan y forman una montaña."),
    ("Corrige la siguiente oración.",
     "Ayer yo ha comido en casa de mi abuela.",
     "La oración correcta es «Ayer comí en casa de mi abuela». También sería válido decir «Hoy he comido en casa de mi abuela», pero con «ayer» se prefiere el pretérito indefinido."),
    ("Dame tres consejos para dormir mejor.", "",
     "Acuéstate y levántate siempre a la misma hora, incluso los fines de semana. Evita las pantallas una hora antes de dormir. Además, mantén tu habitación fresca, oscura y silenciosa."),
    ("Recomienda un plato típico de México.", "",
     "Te recomiendo probar el mole poblano, una salsa espesa hecha con chiles, especias y un poco de chocolate. Se suele servir sobre pollo o pavo, acompañado de arroz y tortillas."),
]

ALPACA_DE = [
    ("Erkläre, was ein Regenbogen ist.", "",
     "Ein Regenbogen entsteht, wenn Sonnenlicht auf Regentropfen trifft und darin gebrochen und gespiegelt wird. Dabei wird das weiße Licht in seine Farben zerlegt, die wir als bunten Bogen am Himmel sehen."),
    ("Gib mir drei Tipps für eine Reise nach München.", "",
     "Besuche den Viktualienmarkt und den Marienplatz mit dem Glockenspiel. Mach einen Spaziergang durch den Englischen Garten und probiere ein traditionelles Weißwurstfrühstück."),
    ("Berechne den neuen Preis des Buches.",
     "Ein Buch kostet 15 Euro und ist um ein Drittel reduziert.",
     "Ein Drittel von 15 Euro sind 5 Euro. Das Buch kostet also nach der Reduzierung nur noch 10 Euro."),
    ("Schreibe einen kurzen Satz über den Frühling.", "",
     "Im Frühling werden die Tage länger, die Vögel singen wieder und überall beginnen die Bäume zu blühen."),
]

ALPACA_MIXED = [
    ("Explique brièvement ce qu'est une énergie renouvelable.", "",
     "A renewable energy source is one that is naturally replenished, such as sunlight, wind, rain or geothermal heat. Unlike coal or oil, it will not run out on a human timescale."),
    ("Donne-moi trois conseils pour bien organiser un déménagement.", "",
     "Start packing non-essential items a few weeks ahead and label every box with its room. Book the van or movers early, and keep a separate bag with documents, chargers and toiletries for the first night."),
    ("Décris le goût d'un bon chocolat noir.", "",
     "Good dark chocolate tastes intense and slightly bitter, with fruity or roasted notes depending on where the cocoa comes from. It should melt smoothly on the tongue and leave a long, pleasant finish."),
    ("Pourquoi les chiens remuent-ils la queue ?", "",
     "Dogs wag their tails mainly to communicate. A loose, wide wag usually shows friendliness, but a stiff or high wag can signal tension, so it is worth looking at the rest of the body too."),
]

ALPACA_EMPTY = [("Écris une phrase d'accroche pour l'affiche d'un festival de musique.", "", "")]

# ============================================================================ building

SEED = 1905
LANG_NAMES = {"fr": "French", "en": "English", "es": "Spanish", "de": "German"}


def _turns(texts: tuple) -> list[dict]:
    roles = ["user", "assistant"] * (len(texts) // 2)
    return [{"role": r, "content": t} for r, t in zip(roles, texts, strict=True)]


def _exact_variant(pair: tuple[str, str], n: int) -> tuple[str, str]:
    """Same text, only case / whitespace / punctuation changed."""
    q, a = pair
    if n == 0:
        return q.lower().rstrip(" ?"), a.replace(". ", ".  ")
    if n == 1:
        return "  " + q.replace(" ?", "?").replace(" un ", " un  ") + " ", a.replace(",", "").rstrip(".")
    return q.replace(" %", "%").replace(" ?", " ?!"), a.lower() + "\n"


def build_chat() -> tuple[list[dict], dict[str, list[str]]]:
    rows = []  # (kind, texts, note)
    rows += [("fr", p, None) for p in CHAT_FR]
    rows += [("fr", p, None) for p in CHAT_FR_MULTI]
    by_question = dict(CHAT_FR)
    for n, q in enumerate(EXACT_DUP_OF):
        rows.append(("fr", _exact_variant((q, by_question[q]), n), f"exact duplicate of: {q}"))
    for q, near in NEAR_DUPS.items():
        rows.append(("fr", near, f"near-duplicate of: {q}"))
    rows += [("en", p, None) for p in CHAT_EN]
    rows += [("es", p, None) for p in CHAT_ES]
    rows += [("de", p, None) for p in CHAT_DE]
    rows += [("mixed", p, None) for p in CHAT_MIXED]
    rows += [("empty", p, None) for p in CHAT_EMPTY]
    rows += [("null", p, None) for p in CHAT_NULL]
    random.Random(SEED).shuffle(rows)
    records, kinds, planted = [], [], []
    for i, (kind, texts, note) in enumerate(rows, 1):
        row_id = f"chat-{i:04d}"
        records.append({"id": row_id, "messages": _turns(texts)})
        kinds.append(kind)
        if note:
            planted.append((row_id, note))
    # id of each original row, by its first user turn (the planted copies change that turn)
    first_turn = {r["messages"][0]["content"]: r["id"] for r in records}
    lines = []
    for row_id, note in sorted(planted):
        what, question = note.split(" of: ", 1)
        lines.append(f"`{row_id}`: {what} of `{first_turn[question]}` ({question})")
    return records, {"kinds": kinds, "planted": lines}


def build_pairs(groups: dict[str, list[tuple]], seed_offset: int) -> tuple[list[tuple], list[str]]:
    rows = [(kind, item) for kind, items in groups.items() for item in items]
    random.Random(SEED + seed_offset).shuffle(rows)
    return [item for _, item in rows], [kind for kind, _ in rows]


def main() -> None:
    # chat_fr.jsonl
    chat, chat_notes = build_chat()
    with open(HERE / "chat_fr.jsonl", "w", encoding="utf-8") as out:
        for record in chat:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    # aya_style.parquet
    aya_items, aya_kinds = build_pairs(
        {"fr": AYA_FR, "en": AYA_EN, "es": AYA_ES, "de": AYA_DE, "mixed": AYA_MIXED,
         "empty": AYA_EMPTY, "null": AYA_NULL}, 1)
    aya = pl.DataFrame(
        {
            "id": [f"aya-{i:04d}" for i in range(1, len(aya_items) + 1)],
            "inputs": [q for q, _ in aya_items],
            "targets": [a for _, a in aya_items],
            "language": [LANG_NAMES.get(k, "French") for k in aya_kinds],
        },
        schema={"id": pl.String, "inputs": pl.String, "targets": pl.String, "language": pl.String},
    )
    aya.write_parquet(HERE / "aya_style.parquet", statistics=False)

    # alpaca_style.csv
    alpaca_items, alpaca_kinds = build_pairs(
        {"fr": ALPACA_FR, "en": ALPACA_EN, "es": ALPACA_ES, "de": ALPACA_DE,
         "mixed": ALPACA_MIXED, "empty": ALPACA_EMPTY}, 2)
    alpaca = pl.DataFrame(
        {
            "instruction": [i for i, _, _ in alpaca_items],
            "input": [x for _, x, _ in alpaca_items],
            "output": [o for _, _, o in alpaca_items],
        },
        schema={"instruction": pl.String, "input": pl.String, "output": pl.String},
    )
    alpaca.write_csv(HERE / "alpaca_style.csv")

    write_readme(
        {"chat_fr.jsonl": Counter(chat_notes["kinds"]),
         "aya_style.parquet": Counter(aya_kinds),
         "alpaca_style.csv": Counter(alpaca_kinds)},
        chat_notes["planted"],
        multi_turn=sum(len(r["messages"]) == 4 for r in chat),
    )
    print(f"chat_fr.jsonl: {len(chat)} rows, aya_style.parquet: {aya.height} rows, "
          f"alpaca_style.csv: {alpaca.height} rows")


KIND_LABELS = [
    ("fr", "French"), ("en", "English"), ("es", "Spanish"), ("de", "German"),
    ("mixed", "mixed (French prompt, English answer)"),
    ("empty", "empty or whitespace-only turn"), ("null", "null turn content"),
]


def write_readme(counts: dict[str, Counter], planted: list[str], multi_turn: int) -> None:
    header = "| kind | " + " | ".join(f"`{f}`" for f in counts) + " | total |"
    lines = [header, "|---" * (len(counts) + 2) + "|"]
    for kind, label in KIND_LABELS:
        cells = [counts[f][kind] for f in counts]
        lines.append(f"| {label} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    totals = [sum(c.values()) for c in counts.values()]
    lines.append("| **all rows** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    table = "\n".join(lines)
    planted_md = "\n".join(f"- {line}" for line in planted)
    text = f"""# Demo sources (landing zone)

Three small instruction sources in three different shapes, read by the demo run configuration
`../luth.yaml`. **Every sentence was written by hand for this project**; nothing is copied from a
public data set. Licence: Apache-2.0, the same as the repository.

The files are generated, deterministically, by `make_demo_sources.py` (same folder); rebuild them with

    .venv/bin/python data_lake/landing/sources/make_demo_sources.py

which also rewrites this README. Edit the sentences there, not the files.

## Files

- `chat_fr.jsonl` — SmolTalk / OpenAssistant shape, one JSON object a line:
  `{{"id": "chat-0001", "messages": [{{"role": "user"|"assistant", "content": "..."}}, ...]}}`.
  Mostly single exchanges (2 turns); {multi_turn} conversations have 4 turns. One row has a `null`
  assistant content. Mapping: `{{id: id, messages: messages}}`.
- `aya_style.parquet` — Aya shape: columns `id`, `inputs`, `targets`, `language`. The `language`
  column is informational only (the pipeline detects languages itself). One row has a null
  `targets`. Mapping: `{{id: id, prompt: inputs, response: targets}}`.
- `alpaca_style.csv` — Alpaca shape: columns `instruction`, `input`, `output`; `input` is often
  empty and there is no id column (the row number is the id). Mapping:
  `{{instruction: instruction, input: input, output: output}}`.

## Rows by language

{table}

What the sources stage should do with them (target language `fr`): keep the French rows; reject
English, Spanish and German rows as `wrong_language:<lang>`, the mixed rows as `mixed_languages`,
and the empty, whitespace-only and null turns as `empty_turn`.

## Planted duplicates (`chat_fr.jsonl`)

For the deduplication stage: three exact duplicates of French rows (same text, a different id,
differing only in case, whitespace or punctuation) and three near-duplicates (a few words changed).
All six are French and pass language identification.

{planted_md}
"""
    (HERE / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
